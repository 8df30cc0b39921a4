package io.github.browserpool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.kklisura.cdt.services.ChromeDevToolsService;
import io.github.browserpool.pool.FakeLauncher;
import io.github.browserpool.pool.FakeTicker;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * What the Cleaner must not reclaim, and what close() must wait for. A page in use keeps its lease, and a
 * live lease keeps its pool; each test proves the Cleaner did run meanwhile (a control object dropped at
 * the same time is reclaimed), so "not reclaimed" is not an accident of GC timing.
 */
class ReachabilityAndCloseTest {
  private final FakeLauncher launcher = new FakeLauncher();

  private PoolConfig config(String name) {
    return PoolConfig.builder().maxContextsPerBrowser(1).poolName(name).ticker(new FakeTicker()).maxBrowsers(4).build();
  }

  @Test
  void aPageInUseKeepsItsLeaseFromBeingReclaimed() {
    try (BrowserPool pool = FakePools.start(config("page-anchor"), launcher)) {
      ChromeDevToolsService page = pool.acquire().newPage(); // the lease handle itself is dropped
      acquireAndDrop(pool); // the control: a lease with no page, dropped
      assertThat(pool.stats().leased()).isEqualTo(2);
      await().atMost(Duration.ofSeconds(20)).until(() -> {
        System.gc();
        return pool.stats().leased() == 1; // the control was reclaimed
      });
      assertThat(launcher.launched.stream().filter(b -> b.releasedContexts == 1).count())
          .as("only the control's context was released").isEqualTo(1);
      page.getRuntime(); // still usable: a revoked lease would throw here
    }
  }

  @Test
  void aLeaseDroppedTogetherWithItsPagesIsStillReclaimed() {
    try (BrowserPool pool = FakePools.start(config("page-dropped"), launcher)) {
      acquireOpenPagesAndDrop(pool);
      assertThat(pool.stats().leased()).isEqualTo(1);
      await().atMost(Duration.ofSeconds(20)).until(() -> {
        System.gc();
        return pool.stats().leased() == 0;
      });
      assertThat(launcher.launched.get(0).releasedContexts).isEqualTo(1);
    }
  }

  private void acquireOpenPagesAndDrop(BrowserPool pool) {
    BrowserLease lease = pool.acquire();
    lease.newPage().getRuntime(); // a page and a domain, both dropped with the lease
    lease.newPage();
  }

  @Test
  void aLiveLeaseKeepsItsPoolOpen() {
    WeakReference<BrowserPool>[] poolRef = new WeakReference[1];
    BrowserLease lease = startPoolAndKeepOnlyALease(poolRef);
    FakeLauncher controlLauncher = new FakeLauncher();
    startAndDrop(controlLauncher); // the control: a pool dropped with nothing holding it
    await().atMost(Duration.ofSeconds(20)).until(() -> {
      System.gc();
      return controlLauncher.alive() == 0;
    });
    assertThat(lease.isActive()).as("the pool was not shut down under its lease").isTrue();
    assertThat(poolRef[0].get()).isNotNull();
    lease.touch();
    lease.close();
    poolRef[0].get().close();
    assertThat(launcher.alive()).isZero();
  }

  @Test
  void aSecondConcurrentCloseReturnsOnlyOnceThePoolIsClosed() throws Exception {
    BrowserPool pool = FakePools.start(config("double-close"), launcher);
    pool.acquire().close();
    CountDownLatch inClose = new CountDownLatch(1);
    CountDownLatch letGo = new CountDownLatch(1);
    launcher.onNextClose = () -> {
      inClose.countDown();
      try {
        letGo.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    };
    CompletableFuture<Void> first = CompletableFuture.runAsync(pool::close);
    assertThat(inClose.await(10, TimeUnit.SECONDS)).isTrue();
    AtomicBoolean released = new AtomicBoolean();
    AtomicBoolean returnedEarly = new AtomicBoolean();
    Thread second = new Thread(() -> {
      pool.close();
      returnedEarly.set(!released.get());
    });
    second.start();
    // Wait until the second caller has either returned or blocked (a thread state, not time passing).
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (second.isAlive() && second.getState() != Thread.State.WAITING
        && second.getState() != Thread.State.TIMED_WAITING) {
      assertThat(System.nanoTime()).isLessThan(until);
      Thread.onSpinWait();
    }
    released.set(true);
    letGo.countDown();
    second.join(TimeUnit.SECONDS.toMillis(30));
    first.get(30, TimeUnit.SECONDS);
    assertThat(returnedEarly).as("the second close() returned while the first was still closing").isFalse();
    assertThat(launcher.alive()).isZero();
  }

  private void acquireAndDrop(BrowserPool pool) {
    pool.acquire();
  }

  @SuppressWarnings("unchecked")
  private BrowserLease startPoolAndKeepOnlyALease(WeakReference<BrowserPool>[] ref) {
    BrowserPool pool = FakePools.start(config("lease-anchor"), launcher);
    ref[0] = new WeakReference<>(pool);
    return pool.acquire();
  }

  private void startAndDrop(FakeLauncher l) {
    FakePools.start(config("control-pool"), l).acquire().close();
  }
}
