// Runs inside a test network namespace (`ip netns exec NS node netPeer.js ...`).
//   listen TAG PORT...        serve each port on [::] (IPv4 too); every connection is answered with
//                             "TAG LOCALADDRESS LOCALPORT" and closed, so a client learns who answered.
//   connect JSON [UID]        JSON is [[host, port], ...]; connect to each (2 s bound) and print a JSON list
//                             of the answers, or "error CODE". With UID, the process first becomes that user
//                             (group the same), so the connections are owned by it, as an init container's would be.
import { connect, createServer } from "node:net";

function listen(tag: string, ports: number[]): void {
    for (const port of ports) {
        createServer((socket) => {
            const address = (socket.localAddress ?? "").replace(/^::ffff:/, "");
            socket.end(`${tag} ${address} ${socket.localPort}`);
        })
            .on("error", (e) => {
                console.error(`netPeer: cannot listen on ${port}: ${e.message}`);
                process.exit(1);
            })
            .listen({ port, host: "::", ipv6Only: false }, () => console.log(`listening ${tag} ${port}`));
    }
}

function ask(host: string, port: number): Promise<string> {
    return new Promise((resolve) => {
        let answer = "";
        const socket = connect({ host, port, timeout: 2000 });
        socket.on("data", (d) => (answer += d.toString()));
        socket.on("end", () => resolve(answer));
        socket.on("timeout", () => {
            socket.destroy();
            resolve("error TIMEOUT");
        });
        socket.on("error", (e: NodeJS.ErrnoException) => resolve(`error ${e.code ?? e.message}`));
    });
}

async function main(): Promise<void> {
    const [mode, ...rest] = process.argv.slice(2);
    if (mode === "listen") listen(rest[0], rest.slice(1).map(Number));
    else if (mode === "connect") {
        const targets = JSON.parse(rest[0]) as Array<[string, number]>;
        if (rest[1] !== undefined) {
            if (!process.setgid || !process.setuid) throw new Error("netPeer: cannot change user on this platform");
            process.setgid(Number(rest[1]));
            process.setuid(Number(rest[1]));
        }
        const answers: string[] = [];
        for (const [host, port] of targets) answers.push(await ask(host, port));
        console.log(JSON.stringify(answers));
    } else {
        console.error("usage: netPeer listen TAG PORT... | connect JSON [UID]");
        process.exit(2);
    }
}

void main();
