package io.github.browserpool.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.browserpool.PoolConfig;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;

/**
 * What the engine tests share: a fake ticker, launcher and scheduler, the engine under test, the config
 * every test starts from, a wait for waiters, and a check after each test that closing the engine closed
 * every fake browser.
 */
abstract class EngineOnFakes {
  final FakeTicker ticker = new FakeTicker();
  final FakeLauncher launcher = new FakeLauncher();
  final FakeScheduler scheduler = new FakeScheduler(ticker);
  PoolEngine engine;
  private final String poolName;
  private final Duration idleTimeout;

  EngineOnFakes(String poolName, Duration idleTimeout) {
    this.poolName = poolName;
    this.idleTimeout = idleTimeout;
  }

  /** The test's pool name, the fake ticker, its idle timeout, and an acquire that fails at once. */
  PoolConfig.Builder config() {
    return PoolConfig.builder().maxContextsPerBrowser(1).poolName(poolName).ticker(ticker).idleTimeout(idleTimeout)
        .acquireTimeout(Duration.ZERO);
  }

  /** Makes {@code e} the engine under test, starts it and runs the reaper's first pass at start. */
  PoolEngine started(PoolEngine e) {
    engine = e;
    engine.start();
    scheduler.runDue();
    return engine;
  }

  /** Waits until {@code n} threads wait in the engine's acquire() (a registration, not time passing). */
  void awaitWaiting(int n) {
    // Another thread is about to block in acquire(); wait for it to register (not for time to pass).
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (engine.stats().waiting() < n) {
      if (System.nanoTime() > until) {
        throw new AssertionError("no waiter registered");
      }
      Thread.onSpinWait();
    }
  }

  @AfterEach
  void closeEngine() {
    if (engine != null) {
      engine.close();
      assertThat(launcher.alive()).as("every fake browser closed").isZero();
    }
  }
}
