package io.github.browserpool;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.browserpool.pool.FakeLauncher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The threads a pool owns, on fake browsers (so only the engine's own: {@code <pool>-reaper}, {@code
 * <pool>-worker-N}, {@code <pool>-closer-N}): named after the pool, bounded, and all gone within a second
 * of {@code close()}. The real-Chromium counterpart, with the connections' threads, is the e2e
 * PoolThreadsTest.
 */
class PoolThreadsTest {
  /** What close() may take to end the pool's threads once it has returned. */
  private static final Duration GONE_WITHIN = Duration.ofSeconds(1);

  @Test
  void aClosedPoolLeavesNoThreadOfItsOwnBehindWithinOneSecond() throws Exception {
    String name = "threads-fake";
    FakeLauncher launcher = new FakeLauncher();
    BrowserPool pool = FakePools.start(PoolConfig.builder().poolName(name).maxBrowsers(3).maxContextsPerBrowser(4)
        .minIdle(1).build(), launcher);
    List<BrowserLease> leases = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      leases.add(pool.acquire()); // dense: up to 4 leases per browser
    }
    leases.add(pool.acquire("keyed"));
    leases.forEach(BrowserLease::close);
    assertThat(threadsOf(name)).as("the pool runs threads named after it").isNotEmpty();

    pool.close();
    long closed = System.nanoTime();
    assertThat(awaitNoThreadsOf(name, closed)).as("threads of the closed pool " + GONE_WITHIN + " after close()")
        .isEmpty();
    assertThat(launcher.alive()).isZero();
  }

  @Test
  void closesBeyondTwiceMaxBrowsersWaitTheirTurnInsteadOfStartingThreads() throws Exception {
    String name = "threads-bound";
    FakeLauncher launcher = new FakeLauncher();
    CountDownLatch gate = new CountDownLatch(1);
    launcher.closeGate = gate; // every close takes until the gate opens
    int maxBrowsers = 2;
    BrowserPool pool = FakePools.start(PoolConfig.builder().poolName(name).maxBrowsers(maxBrowsers)
        .maxContextsPerBrowser(1).maxLeasesPerBrowser(1).build(), launcher);
    int retired = 6;
    for (int i = 0; i < retired; i++) {
      pool.acquire().close(); // one lease per browser: each release retires its browser (MAX_LEASES)
    }
    Set<String> closers = threadsOf(name).stream().filter(n -> n.startsWith(name + "-closer-")).collect(Collectors.toSet());
    assertThat(closers).as("closer threads while " + retired + " closes are blocked").hasSize(2 * maxBrowsers);
    assertThat(launcher.alive()).as("the closes beyond the bound are queued, not lost").isEqualTo(retired);

    gate.countDown();
    pool.close();
    long closed = System.nanoTime();
    assertThat(pool.stats().closed(CloseReason.MAX_LEASES)).isEqualTo(retired);
    assertThat(launcher.alive()).isZero();
    assertThat(awaitNoThreadsOf(name, closed)).isEmpty();
  }

  /** Waits until no live thread carries {@code poolName}, up to {@link #GONE_WITHIN} after {@code since}; returns those left. */
  private static Set<String> awaitNoThreadsOf(String poolName, long since) throws InterruptedException {
    long until = since + GONE_WITHIN.toNanos();
    Set<String> left = threadsOf(poolName);
    while (!left.isEmpty() && System.nanoTime() - until < 0) {
      TimeUnit.MILLISECONDS.sleep(10); // polling threads that end on their own; no time is simulated here
      left = threadsOf(poolName);
    }
    return left;
  }

  /** The names of the live threads that carry {@code poolName}. */
  private static Set<String> threadsOf(String poolName) {
    return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
        .filter(n -> n.contains(poolName)).collect(Collectors.toSet());
  }
}
