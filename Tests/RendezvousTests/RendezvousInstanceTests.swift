import Blocks
import Kademlia
import Testing

@testable import Rendezvous

@Suite("Session rendezvous core")
struct RendezvousInstanceTests {
    static func contact(_ byte: UInt8, port: UInt16 = 4001) -> Contact {
        Contact(id: try! NodeID(bytes: [UInt8](repeating: byte, count: 32)), address: NodeAddress(ipv4: 0x0a00_0001, port: port))
    }

    @Test("the session block is 'Member of <swarm> Session: N' with N the time rounded down to the window")
    func sessionBlock() throws {
        let window = SessionWindow(containing: 1_700_000_059, length: 60, swarm: "demo")
        #expect(window.start == 1_700_000_040)
        #expect(String(decoding: window.content, as: UTF8.self) == "Member of demo Session: 1700000040")
        #expect(window.cid.codec == .raw)
        #expect(window.cid == (try CID(codec: .raw, hashing: window.content)))
        // Another swarm, or another window, meets elsewhere.
        #expect(SessionWindow(start: window.start, swarm: "other").cid != window.cid)
        #expect(window.advanced(by: 1, length: 60).cid != window.cid)
        #expect(SessionWindow(containing: -1, length: 60, swarm: "x").start == -60)
    }

    @Test("provides the current window at once and the next one lead seconds before the boundary; searches once per window")
    func schedule() {
        let configuration = RendezvousConfiguration(swarm: "s", windowSeconds: 60, leadSeconds: 5)
        var instance = RendezvousInstance(configuration: configuration, localID: Self.contact(0).id, seed: 7)
        let start: Int64 = 1_700_000_040_000  // a window start (a multiple of 60 s)
        let current = instance.window(at: start)
        var directives = instance.tick(now: start)
        #expect(directives.contains(.provide(current)))
        #expect(directives.contains(.findProviders(current)))
        #expect(directives.contains(.findProviders(current.advanced(by: -1, length: 60))))
        // Nothing again in the same window, until the lead time before the next one.
        directives = instance.tick(now: start + 10_000)
        #expect(!directives.contains { if case .provide = $0 { true } else { false } })
        #expect(!directives.contains { if case .findProviders = $0 { true } else { false } })
        let next = current.advanced(by: 1, length: 60)
        let announce = (next.start - 5) * 1000
        #expect(directives.contains(.scheduleTick(atUnixMilliseconds: announce)))
        directives = instance.tick(now: announce)
        #expect(directives == [.provide(next), .scheduleTick(atUnixMilliseconds: next.start * 1000)])
        // In the next window: no second provide of it; one search within the first fifth of the window.
        directives = instance.tick(now: next.start * 1000)
        #expect(!directives.contains(.provide(next)))
        var searched = directives.contains(.findProviders(next))
        var now = next.start * 1000
        while !searched {
            guard case .scheduleTick(let at)? = directives.last else { Issue.record("no tick"); return }
            now = at
            directives = instance.tick(now: now)
            searched = directives.contains(.findProviders(next))
        }
        #expect(now < next.start * 1000 + 12_000)
    }

    @Test("connects to the lowest-RTT providers up to maxMembers, never itself, and refills a freed slot")
    func candidates() {
        let configuration = RendezvousConfiguration(swarm: "s", windowSeconds: 60, maxMembers: 2)
        let me = Self.contact(9)
        var instance = RendezvousInstance(configuration: configuration, localID: me.id, seed: 1)
        let window = instance.window(at: 0)
        let found: [(contact: Contact, rtt: Duration?)] = [
            (Self.contact(1), nil), (Self.contact(2), .milliseconds(30)), (me, .milliseconds(1)),
            (Self.contact(3), .milliseconds(10)),
        ]
        let directives = instance.providersFound(found, for: window, now: 0)
        #expect(directives == [.connect(Self.contact(3)), .connect(Self.contact(2))])
        _ = instance.connected(Self.contact(3).id)
        // Contact 2 fails: contact 1 (unknown RTT) takes the slot.
        #expect(instance.connectFailed(Self.contact(2).id, now: 0) == [.connect(Self.contact(1))])
        _ = instance.connected(Self.contact(1).id)
        #expect(instance.members == [Self.contact(1).id, Self.contact(3).id])
        // Found again in the same window: a member is not connected twice, a failed one not retried.
        #expect(instance.providersFound(found, for: window, now: 0).isEmpty)
        #expect(instance.disconnected(Self.contact(3).id).isEmpty)
        #expect(instance.members == [Self.contact(1).id])
    }

    @Test("configuration: lead defaults to a tenth of the window, names are checked")
    func configuration() {
        #expect(RendezvousConfiguration(swarm: "a", windowSeconds: 60).leadSeconds == 6)
        #expect(RendezvousConfiguration(swarm: "a", windowSeconds: 5).leadSeconds == 1)
        #expect(RendezvousConfiguration(swarm: "a").isValid)
        #expect(!RendezvousConfiguration(swarm: "").isValid)
        #expect(!RendezvousConfiguration(swarm: "a\nb").isValid)
        #expect(!RendezvousConfiguration(swarm: String(repeating: "x", count: 201)).isValid)
    }
}
