import QuotaCollection
import Testing

/// The bounds themselves, on state: who holds a slot and who waits.
@Suite struct UpstreamSlotsTests {
    private let slow = UpstreamLane(origin: "http://slow.example", scope: "a")
    private let fast = UpstreamLane(origin: "http://fast.example", scope: "a")

    @Test func aFullLaneDoesNotBlockAnotherLane() async {
        let slots = UpstreamSlots(global: 4, perUpstream: 2)
        #expect(await slots.acquire(slow))
        #expect(await slots.acquire(slow))
        let queued = Task { await slots.acquire(slow) }
        #expect(await eventually { slots.waiting == 1 })
        // Behind the waiting request of the full lane, and not held up by it.
        #expect(await slots.acquire(fast))
        #expect(slots.inFlight(fast) == 1)
        slots.release(slow)
        #expect(await queued.value)
        #expect(slots.inFlight(slow) == 2)
        #expect(slots.inFlight == 3)
    }

    @Test func theGlobalCapHoldsAcrossLanes() async {
        let slots = UpstreamSlots(global: 2, perUpstream: 2)
        #expect(await slots.acquire(slow))
        #expect(await slots.acquire(fast))
        let third = Task { await slots.acquire(UpstreamLane(origin: "http://other.example", scope: "b")) }
        #expect(await eventually { slots.waiting == 1 })
        slots.release(slow)
        #expect(await third.value)
        #expect(slots.inFlight == 2)
    }

    @Test func aCancelledWaiterLeavesTheQueueHoldingNothing() async {
        let slots = UpstreamSlots(global: 1)
        #expect(await slots.acquire(slow))
        let waiter = Task { await slots.acquire(slow) }
        #expect(await eventually { slots.waiting == 1 })
        waiter.cancel()
        #expect(await waiter.value == false)
        #expect(slots.waiting == 0)
        slots.release(slow)
        #expect(slots.inFlight == 0)
    }

    @Test func newLimitsLetWaitersIn() async {
        let slots = UpstreamSlots(global: 1)
        #expect(await slots.acquire(slow))
        let waiter = Task { await slots.acquire(fast) }
        #expect(await eventually { slots.waiting == 1 })
        slots.setLimits(global: 8)
        #expect(await waiter.value)
        #expect(slots.limits.global == 8)
        #expect(slots.limits.perUpstream == 4)
    }

    @Test func defaultPerUpstreamIsAQuarterAtLeastFour() {
        #expect(UpstreamSlots.defaultPerUpstream(forGlobal: 64) == 16)
        #expect(UpstreamSlots.defaultPerUpstream(forGlobal: 32) == 8)
        #expect(UpstreamSlots.defaultPerUpstream(forGlobal: 8) == 4)
        #expect(UpstreamSlots.defaultPerUpstream(forGlobal: 4) == 4)
        #expect(UpstreamSlots.defaultPerUpstream(forGlobal: 1) == 1)
        #expect(UpstreamSlots(global: 2, perUpstream: 9).limits.perUpstream == 2, "never above the global cap")
    }
}
