package io.github.browserpool.micrometer;

import io.github.browserpool.BrowserInfo;
import io.github.browserpool.BrowserPool;
import io.github.browserpool.CloseReason;
import io.github.browserpool.PoolListener;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.Objects;

/**
 * Micrometer meters for one {@link BrowserPool}, each tagged {@code pool=<poolName>}:
 *
 * <table>
 *   <caption>meters</caption>
 *   <tr><th>name</th><th>type</th><th>what</th></tr>
 *   <tr><td>{@code browserpool.browsers}</td><td>gauge, tag {@code state}</td><td>browsers {@code starting}, {@code idle}, {@code leased}</td></tr>
 *   <tr><td>{@code browserpool.leases.active}</td><td>gauge</td><td>leases held now</td></tr>
 *   <tr><td>{@code browserpool.contexts.prepared}</td><td>gauge</td><td>contexts prepared ahead for the next anonymous leases</td></tr>
 *   <tr><td>{@code browserpool.threads.waiting}</td><td>gauge</td><td>{@code acquire()} calls waiting for a browser</td></tr>
 *   <tr><td>{@code browserpool.memory}</td><td>gauge, bytes</td><td>PSS of every browser's process tree, summed</td></tr>
 *   <tr><td>{@code browserpool.acquire}</td><td>timer</td><td>how long {@code acquire()} took (launch included)</td></tr>
 *   <tr><td>{@code browserpool.lease.held}</td><td>timer</td><td>how long a lease was held, hand-over to close</td></tr>
 *   <tr><td>{@code browserpool.launch}</td><td>timer</td><td>how long a launch took until Chromium's first CDP reply</td></tr>
 *   <tr><td>{@code browserpool.launched}</td><td>counter</td><td>browsers launched</td></tr>
 *   <tr><td>{@code browserpool.launch.failures}</td><td>counter</td><td>launches that failed (Chromium missing, a launch timeout)</td></tr>
 *   <tr><td>{@code browserpool.closed}</td><td>counter, tag {@code reason}</td><td>browsers closed, by {@link CloseReason}</td></tr>
 *   <tr><td>{@code browserpool.forced.kills}</td><td>counter</td><td>closes that needed SIGKILL</td></tr>
 *   <tr><td>{@code browserpool.leases.revoked}</td><td>counter</td><td>leases the pool took away</td></tr>
 * </table>
 *
 * <p>Gauges and counters read {@link BrowserPool#stats()} (and {@link BrowserPool#browsers()} for
 * memory) when the registry asks, so they agree with it exactly, also for what happened before binding.
 * The timers are fed by a {@link PoolListener} that {@link #bindTo} adds to the pool, so they count the
 * leases from then on. The meters hold the pool weakly, and the listener does not hold it at all: an
 * unclosed pool can still be collected and cleaned.
 *
 * <pre>{@code
 * BrowserPool pool = BrowserPool.start(config);
 * new BrowserPoolMetrics(pool).bindTo(registry);
 * }</pre>
 */
public final class BrowserPoolMetrics implements MeterBinder {
  private final BrowserPool pool;
  private final Tags tags;

  /** Meters for {@code pool}, tagged {@code pool=<poolName>}. */
  public BrowserPoolMetrics(BrowserPool pool) {
    this(pool, Tags.empty());
  }

  /** Meters for {@code pool}, tagged {@code pool=<poolName>} and {@code extraTags}. */
  public BrowserPoolMetrics(BrowserPool pool, Iterable<Tag> extraTags) {
    this.pool = Objects.requireNonNull(pool, "pool must not be null: pass a started BrowserPool");
    this.tags = Tags.of("pool", pool.name()).and(extraTags);
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    for (String state : new String[] {"starting", "idle", "leased"}) {
      Gauge.builder("browserpool.browsers", pool, p -> count(p, state))
          .tags(tags).tag("state", state)
          .description("Browsers in the pool by state")
          .register(registry);
    }
    Gauge.builder("browserpool.leases.active", pool, p -> p.stats().activeLeases())
        .tags(tags).description("Leases held now (several per browser with maxContextsPerBrowser above 1)")
        .register(registry);
    Gauge.builder("browserpool.contexts.prepared", pool, p -> p.stats().preparedContexts())
        .tags(tags).description("Contexts prepared ahead for the next leases, each with one blank page")
        .register(registry);
    Gauge.builder("browserpool.threads.waiting", pool, p -> p.stats().waiting())
        .tags(tags).description("acquire() calls waiting for a browser").register(registry);
    Gauge.builder("browserpool.memory", pool, BrowserPoolMetrics::memoryBytes)
        .tags(tags).baseUnit("bytes")
        .description("PSS of every browser's process tree, summed (each sampled at most once a second)")
        .register(registry);

    FunctionCounter.builder("browserpool.launched", pool, p -> p.stats().launched())
        .tags(tags).description("Browsers launched").register(registry);
    FunctionCounter.builder("browserpool.launch.failures", pool, p -> p.stats().launchFailures())
        .tags(tags).description("Launches that failed").register(registry);
    for (CloseReason reason : CloseReason.values()) {
      FunctionCounter.builder("browserpool.closed", pool, p -> p.stats().closed(reason))
          .tags(tags).tag("reason", reason.name())
          .description("Browsers closed, by reason").register(registry);
    }
    FunctionCounter.builder("browserpool.forced.kills", pool, p -> p.stats().forcedKills())
        .tags(tags).description("Closes that needed SIGKILL").register(registry);
    FunctionCounter.builder("browserpool.leases.revoked", pool, p -> p.stats().leasesRevoked())
        .tags(tags).description("Leases the pool took away (abandoned, evicted, crashed, unresponsive, shut down)")
        .register(registry);

    Timer acquire = Timer.builder("browserpool.acquire").tags(tags)
        .description("How long acquire() took, launch included").register(registry);
    Timer held = Timer.builder("browserpool.lease.held").tags(tags)
        .description("How long a lease was held, from hand-over to close").register(registry);
    Timer launch = Timer.builder("browserpool.launch").tags(tags)
        .description("How long a launch took until Chromium's first CDP reply").register(registry);
    pool.addListener(new Recorder(acquire, held, launch));
  }

  private static double count(BrowserPool p, String state) {
    var s = p.stats();
    switch (state) {
      case "starting":
        return s.starting();
      case "idle":
        return s.idle();
      default:
        return s.leased();
    }
  }

  private static double memoryBytes(BrowserPool p) {
    return p.browsers().stream().mapToLong(BrowserInfo::memoryBytes).sum();
  }

  /** Feeds the timers. Holds only the timers, never the pool (the pool holds its listeners). */
  private static final class Recorder implements PoolListener {
    private final Timer acquire;
    private final Timer held;
    private final Timer launch;

    Recorder(Timer acquire, Timer held, Timer launch) {
      this.acquire = acquire;
      this.held = held;
      this.launch = launch;
    }

    @Override
    public void acquired(LeaseEvent lease, Duration waited) {
      acquire.record(waited);
    }

    @Override
    public void released(LeaseEvent lease, Duration heldFor) {
      held.record(heldFor);
    }

    @Override
    public void launched(BrowserEvent browser, Duration took) {
      launch.record(took);
    }
  }
}
