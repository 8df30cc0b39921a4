package io.github.browserpool.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.browserpool.AcquireTimeoutException;
import io.github.browserpool.BrowserCrashedException;
import io.github.browserpool.CapacityPolicy;
import io.github.browserpool.LeaseOptions;
import io.github.browserpool.PoolConfig;
import io.github.browserpool.PoolExhaustedException;
import io.github.browserpool.SessionStateException;
import io.github.browserpool.SessionStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Keyed sessions kept in a {@link SessionStore}, on the fake launcher and ticker: a keyed lease is placed
 * as an anonymous one, one lease per key at a time, its state restored before acquire returns and saved
 * when it ends (closed, abandoned, crashed), and a store that throws or hangs costs only that key's
 * acquire or save. Without a store, keyed leases still bind a browser.
 */
class SessionStoreEngineTest extends EngineOnFakes {
  private static final Duration IDLE = Duration.ofMinutes(5);

  /** A logged-in state as Playwright writes it: an httpOnly session cookie and a localStorage token. */
  static String state(String user) {
    return "{\"cookies\":[{\"name\":\"sid\",\"value\":\"" + user + "\",\"domain\":\"app.test\",\"path\":\"/\","
        + "\"expires\":-1,\"httpOnly\":true,\"secure\":false,\"sameSite\":\"Lax\"}],\"origins\":[{\"origin\":"
        + "\"http://app.test\",\"localStorage\":[{\"name\":\"token\",\"value\":\"t-" + user + "\"}]}]}";
  }

  /** A store over a map whose calls can be made to fail or hang, counting them. */
  static final class TestStore implements SessionStore {
    final ConcurrentHashMap<String, String> states = new ConcurrentHashMap<>();
    volatile IOException loadFails;
    volatile IOException saveFails;
    volatile CountDownLatch loadHangs;
    volatile CountDownLatch saveHangs;
    final AtomicInteger saves = new AtomicInteger();

    @Override
    public Optional<String> load(String key) throws IOException {
      hang(loadHangs);
      if (loadFails != null) {
        throw loadFails;
      }
      return Optional.ofNullable(states.get(key));
    }

    @Override
    public void save(String key, String json) throws IOException {
      hang(saveHangs);
      if (saveFails != null) {
        throw saveFails;
      }
      saves.incrementAndGet();
      states.put(key, json);
    }

    @Override
    public boolean delete(String key) {
      return states.remove(key) != null;
    }

    private static void hang(CountDownLatch gate) {
      if (gate != null) {
        try {
          gate.await(30, TimeUnit.SECONDS); // released by the test's clean-up
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  private final TestStore store = new TestStore();

  SessionStoreEngineTest() {
    super("sessions", IDLE);
  }

  @AfterEach
  void releaseHangs() {
    CountDownLatch l = store.loadHangs;
    if (l != null) {
      l.countDown();
    }
    CountDownLatch s = store.saveHangs;
    if (s != null) {
      s.countDown();
    }
  }

  private PoolEngine start(PoolConfig.Builder b) {
    engine = new PoolEngine(b.build(), launcher, false);
    return engine;
  }

  private PoolConfig.Builder stored() {
    return config().sessionStore(store).maxBrowsers(1).maxContextsPerBrowser(8);
  }

  private static FakeLauncher.FakeBrowser.FakeContext contextOf(LeaseState lease) {
    return (FakeLauncher.FakeBrowser.FakeContext) lease.context();
  }

  @Test
  void keyedLeasesWithAStoreShareABrowserWithAnonymousOnesAndBindNothing() {
    start(stored());
    LeaseState anon = engine.acquire(null);
    LeaseState alice = engine.acquire("alice");
    LeaseState bob = engine.acquire("bob");
    assertThat(launcher.launched).as("one browser serves all three").hasSize(1);
    assertThat(alice.browserPid()).isEqualTo(anon.browserPid()).isEqualTo(bob.browserPid());
    assertThat(contextOf(alice).isolated).as("a context of its own, not the profile").isTrue();
    assertThat(alice.entry.key()).as("the browser is bound to no key").isNull();
    assertThat(alice.isNewSession()).as("nothing stored yet").isTrue();
    assertThat(alice.key()).isEqualTo("alice");
    anon.close();
    alice.close();
    bob.close();
  }

  @Test
  void aSecondLeaseOfAKeyTimesOutNamingTheKeyWhileOtherKeysGoOn() {
    start(stored()); // acquireTimeout 0
    LeaseState first = engine.acquire("alice");
    assertThatThrownBy(() -> engine.acquire("alice")).isInstanceOf(AcquireTimeoutException.class)
        .hasMessageContaining("session key \"alice\" was still leased")
        .hasMessageContaining("one lease per key at a time");
    LeaseState bob = engine.acquire("bob");
    assertThat(engine.stats().waiting()).isZero();
    first.close();
    LeaseState again = engine.acquire("alice");
    assertThat(again.browserPid()).isEqualTo(bob.browserPid());
    again.close();
    bob.close();
  }

  @Test
  void underRejectASecondLeaseOfAKeyIsRefusedAtOnce() {
    start(stored().capacityPolicy(CapacityPolicy.REJECT));
    LeaseState first = engine.acquire("alice");
    assertThatThrownBy(() -> engine.acquire("alice")).isInstanceOf(PoolExhaustedException.class)
        .hasMessageContaining("session key \"alice\" is leased");
    first.close();
    engine.acquire("alice").close();
  }

  @Test
  void aWaitingCallerGetsTheKeyWithTheStateTheFirstLeaseSaved() throws Exception {
    start(stored().acquireTimeout(Duration.ofSeconds(30)));
    LeaseState first = engine.acquire("alice");
    CompletableFuture<LeaseState> second = CompletableFuture.supplyAsync(() -> engine.acquire("alice"));
    awaitWaiting(1);
    contextOf(first).state = state("alice");
    assertThat(second).isNotDone();
    first.close();
    LeaseState got = second.get(10, TimeUnit.SECONDS);
    assertThat(got.isNewSession()).isFalse();
    assertThat(contextOf(got).state).isEqualTo(state("alice"));
    got.close();
  }

  @Test
  void aStateIsSavedOnCloseAndRestoredIntoTheNextLeaseOfItsKeyOnly() {
    start(stored());
    LeaseState a = engine.acquire("alice");
    contextOf(a).state = state("alice");
    LeaseState b = engine.acquire("bob");
    contextOf(b).state = state("bob");
    a.close();
    b.close();
    assertThat(store.states).containsEntry("alice", state("alice")).containsEntry("bob", state("bob"));
    LeaseState a2 = engine.acquire("alice");
    LeaseState anon = engine.acquire(null);
    assertThat(a2.isNewSession()).isFalse();
    assertThat(contextOf(a2).state).isEqualTo(state("alice"));
    assertThat(anon.isNewSession()).isTrue();
    assertThat(contextOf(anon).state).isEqualTo(FakeLauncher.FakeBrowser.FakeContext.EMPTY);
    a2.close();
    anon.close();
  }

  @Test
  void aLoadThatThrowsFailsTheAcquireNamingTheKeyAndDisposesTheContext() {
    start(stored());
    store.states.put("alice", state("alice"));
    store.loadFails = new IOException("disk on fire");
    assertThatThrownBy(() -> engine.acquire("alice")).isInstanceOf(SessionStateException.class)
        .hasMessageContaining("load(\"alice\")").hasMessageContaining("disk on fire");
    FakeLauncher.FakeBrowser b = launcher.launched.get(0);
    assertThat(b.opened).hasSize(1);
    assertThat(b.opened.get(0).released).as("the context was disposed").isTrue();
    assertThat(engine.stats().activeLeases()).isZero();
    assertThat(store.states).as("the stored state is untouched").containsEntry("alice", state("alice"));
    store.loadFails = null;
    LeaseState again = engine.acquire("alice");
    assertThat(again.isNewSession()).isFalse();
    again.close();
  }

  @Test
  void aLoadThatHangsFailsTheAcquireAtItsDeadline() {
    start(stored().acquireTimeout(Duration.ofMillis(100)));
    store.loadHangs = new CountDownLatch(1);
    long t0 = System.nanoTime();
    assertThatThrownBy(() -> engine.acquire("alice")).isInstanceOf(SessionStateException.class)
        .hasMessageContaining("load(\"alice\")").hasMessageContaining("did not return within");
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
    assertThat(engine.stats().activeLeases()).isZero();
    store.loadHangs.countDown();
    store.loadHangs = null;
    engine.acquire("alice").close();
  }

  @Test
  void aStateThatDoesNotParseFailsTheAcquireNamingTheKeyAndLeavesItStored() {
    start(stored());
    store.states.put("alice", "{\"cookies\": [");
    assertThatThrownBy(() -> engine.acquire("alice")).isInstanceOf(SessionStateException.class)
        .hasMessageContaining("alice").hasMessageContaining("invalidate");
    assertThat(engine.stats().activeLeases()).isZero();
    assertThat(launcher.launched.get(0).opened.get(0).released).isTrue();
    engine.invalidate("alice");
    LeaseState fresh = engine.acquire("alice");
    assertThat(fresh.isNewSession()).isTrue();
    fresh.close();
  }

  @Test
  void aRestoreTheBrowserRefusesDisposesTheContextAndSavesNothingBack() {
    start(stored());
    store.states.put("alice", state("alice"));
    LeaseState warm = engine.acquire(null); // the browser is up; the next context is made on demand
    FakeLauncher.FakeBrowser b = launcher.launched.get(0);
    b.contextHook = c -> c.restoreFails = new IllegalStateException("Storage.setCookies failed");
    assertThatThrownBy(() -> engine.acquire("alice")).isInstanceOf(SessionStateException.class)
        .hasMessageContaining("session key \"alice\"").hasMessageContaining("could not be restored");
    b.contextHook = null;
    assertThat(b.opened.get(1).released).isTrue();
    assertThat(store.saves).as("a half-restored context is never saved").hasValue(0);
    assertThat(store.states).containsEntry("alice", state("alice"));
    warm.close();
  }

  @Test
  void aSaveThatThrowsIsLoggedWithTheKeyAndTheLeaseStillCloses() {
    start(stored());
    LeaseState a = engine.acquire("alice");
    contextOf(a).state = state("alice");
    store.saveFails = new IOException("quota exceeded");
    String err = stderrOf(a::close);
    assertThat(err).contains("WARN").contains("save(\"alice\")").contains("quota exceeded");
    assertThat(contextOf(a).released).isTrue();
    assertThat(engine.stats().activeLeases()).isZero();
    store.saveFails = null;
    LeaseState again = engine.acquire("alice");
    assertThat(again.isNewSession()).as("nothing was saved").isTrue();
    again.close();
  }

  @Test
  void aSaveThatHangsIsAbandonedAtCloseTimeout() {
    start(stored().closeTimeout(Duration.ofMillis(300)));
    LeaseState a = engine.acquire("alice");
    contextOf(a).state = state("alice");
    store.saveHangs = new CountDownLatch(1);
    long t0 = System.nanoTime();
    String err = stderrOf(a::close);
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("close() returns near closeTimeout")
        .isLessThan(Duration.ofSeconds(3));
    assertThat(err).contains("WARN").contains("save(\"alice\")").contains("did not return within");
    assertThat(contextOf(a).released).isTrue();
    store.saveHangs.countDown();
    store.saveHangs = null;
    LeaseState again = engine.acquire("alice");
    again.close();
  }

  @Test
  void invalidateDeletesTheStoredStateAndAnOpenLeaseDoesNotSaveItBack() {
    start(stored());
    store.states.put("bob", state("bob"));
    assertThat(engine.invalidate("bob")).isTrue();
    assertThat(store.states).doesNotContainKey("bob");
    assertThat(engine.invalidate("nobody")).isFalse();

    LeaseState a = engine.acquire("alice");
    contextOf(a).state = state("alice");
    assertThat(engine.invalidate("alice")).as("leased now").isTrue();
    a.close();
    assertThat(store.states).doesNotContainKey("alice");
    LeaseState fresh = engine.acquire("alice");
    assertThat(fresh.isNewSession()).isTrue();
    fresh.close();
  }

  @Test
  void aCrashKeepsWhatWasSavedOrTheStateTheLeaseLastRead() {
    start(stored());
    LeaseState a = engine.acquire("alice");
    contextOf(a).state = state("alice-1");
    a.close();
    LeaseState b = engine.acquire("alice");
    LeaseState c = engine.acquire("carol");
    contextOf(b).state = state("alice-2");
    contextOf(c).state = state("carol");
    assertThat(b.storageState()).isEqualTo(state("alice-2")); // read: kept as what to save on a crash
    contextOf(b).state = state("alice-3"); // never read: lost with the browser
    launcher.byPid(b.browserPid()).crash();
    assertThatThrownBy(b::touch).isInstanceOf(BrowserCrashedException.class);
    assertThat(store.states).containsEntry("alice", state("alice-2"))
        .as("carol never read her state: nothing newer than what was stored").doesNotContainKey("carol");
    b.close();
    c.close();
    LeaseState again = engine.acquire("alice");
    assertThat(contextOf(again).state).isEqualTo(state("alice-2"));
    again.close();
  }

  @Test
  void anAbandonedLeaseIsSavedFromItsContextBeforeItIsDisposed() {
    start(stored());
    LeaseState a = engine.acquire("alice");
    LeaseState other = engine.acquire(null);
    contextOf(a).state = state("alice");
    ticker.advance(IDLE.minusSeconds(1));
    other.touch();
    ticker.advance(Duration.ofSeconds(2));
    engine.housekeep();
    assertThat(a.isActive()).isFalse();
    assertThat(store.states).containsEntry("alice", state("alice"));
    LeaseState again = engine.acquire("alice");
    assertThat(again.isNewSession()).isFalse();
    again.close();
    other.close();
  }

  @Test
  void closingThePoolSavesWhatAnOpenLeaseLastReadAndFreesEverything() {
    start(stored());
    LeaseState a = engine.acquire("alice");
    contextOf(a).state = state("alice");
    a.storageState();
    engine.close();
    assertThat(store.states).containsEntry("alice", state("alice"));
    assertThat(a.isActive()).isFalse();
  }

  @Test
  void anAnonymousLeaseStartsFromAGivenStateWhichIsStoredNowhere() {
    start(stored());
    LeaseState given = engine.acquire(null, LeaseOptions.builder().storageState(state("guest")).build());
    assertThat(given.isNewSession()).isFalse();
    assertThat(contextOf(given).state).isEqualTo(state("guest"));
    given.close();
    assertThat(store.states).isEmpty();
    assertThat(store.saves).hasValue(0);
  }

  @Test
  void aGivenStateThatDoesNotParseFailsBeforeAnyBrowserIsUsed() {
    start(config().maxBrowsers(1));
    assertThatThrownBy(() -> engine.acquire(null, LeaseOptions.builder().storageState("[1, 2").build()))
        .isInstanceOf(SessionStateException.class).hasMessageContaining("LeaseOptions.storageState");
    assertThat(launcher.launched).isEmpty();
  }

  @Test
  void aGivenStateSeedsAKeyWithNothingStoredButNotOneWithAState() {
    start(stored());
    LeaseOptions seed = LeaseOptions.builder().storageState(state("seed")).build();
    LeaseState a = engine.acquire("alice", seed);
    assertThat(contextOf(a).state).isEqualTo(state("seed"));
    contextOf(a).state = state("alice");
    a.close();
    LeaseState again = engine.acquire("alice", seed);
    assertThat(contextOf(again).state).as("the stored state wins").isEqualTo(state("alice"));
    again.close();
  }

  @Test
  void withoutAStoreAKeyedLeaseStillOwnsItsBrowsersProfile() {
    start(config().maxBrowsers(2).maxContextsPerBrowser(8));
    LeaseState alice = engine.acquire("alice");
    LeaseState anon = engine.acquire(null);
    assertThat(alice.claim).isNull();
    assertThat(contextOf(alice).isolated).as("the default profile").isFalse();
    assertThat(anon.browserPid()).as("anonymous leases never share a keyed browser").isNotEqualTo(alice.browserPid());
    assertThat(alice.entry.key()).isEqualTo("alice");
    alice.close();
    anon.close();
    LeaseState again = engine.acquire("alice");
    assertThat(again.isNewSession()).isFalse();
    assertThat(again.browserPid()).isEqualTo(alice.browserPid());
    again.close();
  }

  /** Runs {@code r} with System.err captured (slf4j-simple writes there) and returns what it wrote. */
  static String stderrOf(Runnable r) {
    PrintStream old = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setErr(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      r.run();
    } finally {
      System.setErr(old);
    }
    String s = out.toString(StandardCharsets.UTF_8);
    old.print(s);
    return s;
  }
}
