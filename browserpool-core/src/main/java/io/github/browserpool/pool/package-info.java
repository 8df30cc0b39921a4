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
 * <p>The engine drives browsers through one SPI, {@link io.github.browserpool.spi.BrowserLauncher} and
 * {@link io.github.browserpool.spi.LaunchedBrowser}, with two kinds: {@code LocalBrowser} (a Chromium
 * process on this host over its CDP pipe, built on {@code chrome} and {@code cdp}) and {@code
 * grid.GridBrowser} (a Selenium Grid session). Unit tests pass a fake launcher.
 *
 * <p>It may use: the public root package (config, exceptions, stats, listener and ticker types, which
 * it reports in), {@code cdp}, {@code chrome} and {@code endpoint}. Nothing below it imports it, except
 * {@code grid}, which implements its SPI.
 */
package io.github.browserpool.pool;
