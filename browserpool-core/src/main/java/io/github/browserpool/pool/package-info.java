/**
 * The engine behind {@code BrowserPool}: internal (not exported by the module).
 *
 * <p>It owns every browser from launch until its profile dir is deleted. {@link
 * io.github.browserpool.pool.PoolEngine} holds the one pool lock and wires parts that each have one job:
 * the entries ({@code PoolEntry}, {@code EntryBag}), the queue of waiting callers ({@code WaiterQueue}),
 * how much it may hold ({@code Capacity}), what happens at capacity per policy ({@code Admission}), the
 * grant of capacity to callers ({@code Grants}), a lease from hand-over to its end ({@code LeaseLifecycle}), launches and warm-ups ({@code Launches}), when a browser
 * must go ({@code RetirementRule}, a pure function of an entry and now), one decision's effects applied
 * after the lock is released ({@code Effects}), the deadline-driven reaper
 * ({@code Reaper}, whose {@code runOnce(now)} returns the next deadline), slow work off the lock ({@code
 * Closer}), shutdown, counters, listeners, memory limits, JMX and the operators' controls ({@code
 * Steering}).
 *
 * <p>A lease's pages are handled here too, whatever the kind: the options applied to each page ({@code
 * PageEmulation}), what a page of a shared browser may ask ({@code PageScope}), the proxy that keeps a
 * lease reachable while its page works ({@code AnchoredPage}) and the lease as its CDP endpoint sees it
 * ({@code EndpointLease}).
 *
 * <p>The engine drives browsers through one SPI, {@link io.github.browserpool.spi.BrowserLauncher} and
 * {@link io.github.browserpool.spi.LaunchedBrowser}, and knows no kind: {@code local} (a Chromium process
 * on this host over its CDP pipe) and {@code grid} (a Selenium Grid session) implement it, on the lease
 * contexts of {@code context}. Unit tests pass a fake launcher.
 *
 * <p>It may use: the public root package (config, exceptions, stats, listener and ticker types, which
 * it reports in), {@code spi}, {@code cdp} and {@code endpoint}; not {@code chrome}, {@code context} or
 * a kind. Only the front door imports it, and {@code context} one rule of it ({@code
 * Capacity.preparedContexts}).
 */
package io.github.browserpool.pool;
