// A CIDR value object: parsed and validated with ip-num, canonicalised (host bits cleared, IPv6 compressed).
import { collapseIPv6Number, IPv4, IPv6, Validator } from "ip-num";

export type IpFamily = 4 | 6;

export interface Cidr {
    readonly family: IpFamily;
    /** The network address as a number (host bits cleared). */
    readonly first: bigint;
    readonly prefix: number;
    /** The last address of the range. */
    readonly last: bigint;
    /** The address after the range (last + 1), kept so sweeps compare without BigInt arithmetic. */
    readonly next: bigint;
    /** Canonical text, e.g. `10.0.0.0/8`, `2001:db8::/32`. */
    readonly text: string;
}

// Each side names the other's fields as absent, so the union narrows under any compiler settings (a consumer
// compiling without strictNullChecks does not narrow on `ok` alone).
export type CidrParse = { ok: true; cidr: Cidr; note?: string; message?: undefined } | { ok: false; message: string; cidr?: undefined; note?: undefined };

const BITS: Record<IpFamily, number> = { 4: 32, 6: 128 };

export function familyBits(family: IpFamily): number {
    return BITS[family];
}

export function lastAddress(c: Cidr): bigint {
    return c.last;
}

export function addressText(family: IpFamily, value: bigint): string {
    return family === 4 ? new IPv4(value).toString() : collapseIPv6Number(new IPv6(value).toString());
}

/** `address` is the network address's canonical text where the caller has it already (it saves a conversion). */
export function makeCidr(family: IpFamily, first: bigint, prefix: number, address = addressText(family, first)): Cidr {
    const last = first + (1n << BigInt(BITS[family] - prefix)) - 1n;
    return { family, first, prefix, last, next: last + 1n, text: `${address}/${prefix}` };
}

/** Whether `c` covers every address of its family (`0.0.0.0/0`, `::/0`). */
export function isEverything(c: Cidr): boolean {
    return c.prefix === 0;
}

export function compareCidrs(a: Cidr, b: Cidr): number {
    if (a.family !== b.family) return a.family - b.family;
    if (a.first !== b.first) return a.first < b.first ? -1 : 1;
    return a.prefix - b.prefix;
}

const IPV4_OCTETS = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function parseAddress(text: string): { family: IpFamily; value: bigint } | string {
    if (text.includes("%")) return "IPv6 zone indexes (`%eth0`) are not accepted by the meshes";
    if (text.includes(":")) {
        if (!Validator.isValidIPv6String(text)[0]) return `'${text}' is not an IPv6 address`;
        return { family: 6, value: new IPv6(text).getValue() };
    }
    const octets = IPV4_OCTETS.exec(text)?.slice(1);
    if (!octets || octets.some((o) => Number(o) > 255)) {
        return `'${text}' is not an IPv4 address (four numbers 0-255 without leading zeros)`;
    }
    if (octets.some((o) => o.length > 1 && o.startsWith("0"))) {
        return `'${text}' has an octet with a leading zero, which Go's net/netip, and so the meshes' Go tools, rejects`;
    }
    // Checked already, octet by octet: the address is their big-endian number (ip-num's constructor would parse the
    // text again, through a binary string per octet, for the same value).
    const [a, b, c, d] = octets.map(Number);
    return { family: 4, value: BigInt(((a << 24) | (b << 16) | (c << 8) | d) >>> 0) };
}

/**
 * Parses one CIDR entry. A bare address becomes a /32 or /128; host bits are cleared and reported in
 * `note`. Messages say what would be accepted.
 */
export function parseCidr(raw: string): CidrParse {
    const text = raw.trim();
    if (text === "") return { ok: false, message: "empty range; expected a CIDR such as 10.0.0.0/8" };
    if (text === "*") {
        return {
            ok: false,
            message: "'*' is not a range: use includeAllIpRanges: true to capture everything, or 0.0.0.0/0 and ::/0",
        };
    }
    if (text.includes(",")) {
        return { ok: false, message: `'${text}' holds several ranges; give one range per list entry` };
    }
    if (/\s/.test(text)) return { ok: false, message: `'${text}' contains white space` };
    if (text.includes("-") && /^\d+\.\d+\.\d+\.\d+-\d+\.\d+\.\d+\.\d+$/.test(text)) {
        return { ok: false, message: `'${text}' is an address range; the meshes accept CIDRs only (e.g. 10.0.0.0/24)` };
    }
    const slash = text.indexOf("/");
    const addrText = slash === -1 ? text : text.slice(0, slash);
    const addr = parseAddress(addrText);
    if (typeof addr === "string") return { ok: false, message: addr };
    const bits = BITS[addr.family];
    let prefix = bits;
    if (slash !== -1) {
        const p = text.slice(slash + 1);
        if (!/^\d{1,3}$/.test(p) || (p.length > 1 && p.startsWith("0")) || Number(p) > bits) {
            return { ok: false, message: `'${text}' has an invalid prefix length; expected /0 to /${bits}` };
        }
        prefix = Number(p);
    }
    const hostBits = BigInt(bits - prefix);
    const first = (addr.value >> hostBits) << hostBits;
    // IPv4 text that passed the checks above (no leading zeros) is already canonical when no host bits are set.
    const cidr = first === addr.value && addr.family === 4 ? makeCidr(4, first, prefix, addrText) : makeCidr(addr.family, first, prefix);
    if (first !== addr.value) {
        return {
            ok: true,
            cidr,
            note: `'${text}' has host bits set; using ${cidr.text} (did you mean ${addressText(addr.family, addr.value)}/${bits}?)`,
        };
    }
    return { ok: true, cidr };
}
