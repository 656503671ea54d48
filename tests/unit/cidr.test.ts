import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { aggregateCidrs, rangeToCidrs } from "../../provider/src/rules/aggregateCidrs";
import { parseCidr } from "../../provider/src/rules/cidr";

const ok = (s: string) => {
    const r = parseCidr(s);
    assert.ok(r.ok, `${s}: ${!r.ok ? r.message : ""}`);
    return r;
};
const bad = (s: string) => {
    const r = parseCidr(s);
    assert.ok(!r.ok, `${s} should be rejected`);
    return r.message;
};

describe("parseCidr", () => {
    it("keeps canonical IPv4 and IPv6 ranges", () => {
        assert.equal(ok("10.0.0.0/8").cidr.text, "10.0.0.0/8");
        assert.equal(ok("2001:DB8:0:0::/32").cidr.text, "2001:db8::/32");
        assert.equal(ok("::/0").cidr.text, "::/0");
    });
    it("turns a bare address into /32 or /128", () => {
        assert.equal(ok("192.0.2.7").cidr.text, "192.0.2.7/32");
        assert.equal(ok("2001:db8::1").cidr.text, "2001:db8::1/128");
    });
    it("clears host bits and says what it did, suggesting the host route", () => {
        const r = ok("10.0.0.1/8");
        assert.equal(r.cidr.text, "10.0.0.0/8");
        assert.match(r.note!, /host bits.*10\.0\.0\.0\/8.*did you mean 10\.0\.0\.1\/32/);
    });
    it("trims surrounding white space", () => assert.equal(ok(" 198.51.100.0/24 ").cidr.text, "198.51.100.0/24"));
    it("rejects what the meshes reject, saying what is accepted", () => {
        assert.match(bad("*"), /includeAllIpRanges/);
        assert.match(bad("10.0.0.0/8,10.1.0.0/16"), /one range per list entry/);
        assert.match(bad("10.0.0.0/33"), /\/0 to \/32/);
        assert.match(bad("2001:db8::/129"), /\/0 to \/128/);
        assert.match(bad("10.0.0.0/08"), /prefix/);
        assert.match(bad("010.0.0.1"), /leading zero|IPv4/);
        assert.match(bad("fe80::1%eth0"), /zone/);
        assert.match(bad("10.0.0.1-10.0.0.9"), /CIDRs only/);
        assert.match(bad("300.1.1.1/32"), /IPv4/);
        assert.match(bad("gateway.local"), /IPv4/);
        assert.match(bad(""), /empty/);
    });
});

describe("aggregateCidrs", () => {
    const texts = (xs: string[]) => aggregateCidrs(xs.map((x) => ok(x).cidr)).map((c) => c.text);
    it("merges adjacent halves into their parent", () => assert.deepEqual(texts(["10.0.0.128/25", "10.0.0.0/25"]), ["10.0.0.0/24"]));
    it("drops ranges inside others", () => assert.deepEqual(texts(["10.1.0.0/16", "10.0.0.0/8", "10.2.3.4/32"]), ["10.0.0.0/8"]));
    it("covers an unaligned union exactly", () => assert.deepEqual(texts(["10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24"]), ["10.0.0.0/23", "10.0.2.0/24"]));
    it("keeps families apart, IPv4 first", () =>
        assert.deepEqual(texts(["2001:db8::/33", "192.0.2.0/24", "2001:db8:8000::/33"]), ["192.0.2.0/24", "2001:db8::/32"]));
    it("rangeToCidrs splits a range into the fewest blocks", () =>
        assert.deepEqual(
            rangeToCidrs(4, ok("10.0.0.1").cidr.first, ok("10.0.0.6").cidr.first).map((c) => c.text),
            ["10.0.0.1/32", "10.0.0.2/31", "10.0.0.4/31", "10.0.0.6/32"],
        ));
});
