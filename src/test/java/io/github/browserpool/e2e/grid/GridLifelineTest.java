package io.github.browserpool.e2e.grid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.browserpool.BrowserLease;
import io.github.browserpool.BrowserPool;
import io.github.browserpool.PoolConfig;
import io.github.browserpool.e2e.ChildPool;
import io.github.browserpool.e2e.Pages;
import io.github.browserpool.test.GridProcess;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The remote lifeline, on a real standalone Grid with session-timeout T = 10 s: a client JVM killed
 * with {@code kill -9} loses its sessions to the Grid's own timeout within T + 30 s, while a live pool's
 * idle session is kept alive past it; and the next pool on this host deletes a dead JVM's sessions at
 * once at start, and nothing else.
 */
@Tag("chromium")
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class GridLifelineTest {
  private static final int T = 10;
  /** Grid reaps a session between T and T + 30 s after its last access (its sweep runs every 30 s). */
  static final Duration REAP_BOUND = Duration.ofSeconds(T + 30);
  /** When the test asks for the killed JVM's sessions: T after their last access, with a margin for load. */
  private static final Duration ASK_AFTER = Duration.ofSeconds(T + 2);
  @RegisterExtension
  static final StandaloneGrid grid = new StandaloneGrid("lifeline", T, 6);

  @Test
  void aKilledClientJvmsSessionsAreReapedByTheGridWithinTheBoundWhileALivePoolKeepsItsIdleSession() throws Exception {
    try (BrowserPool pool = BrowserPool.start(PoolConfig.builder().maxContextsPerBrowser(1).poolName("keeper").seleniumGrid(grid.url())
        .maxBrowsers(1).minIdle(1).idleTimeout(Duration.ofMinutes(3)).build())) {
      await().atMost(Duration.ofSeconds(60)).until(() -> pool.stats().idle() == 1);
      List<String> kept = GridProcess.sessionIds(grid.url());
      assertThat(kept).hasSize(1);

      long killed;
      List<String> theirs;
      try (ChildPool child = ChildPool.start(2, "doomed", grid.url().toString())) {
        theirs = sessionIds(child);
        assertThat(theirs).hasSize(2);
        assertThat(GridProcess.sessions(grid.url()).stream().filter(s -> theirs.contains(s.id()))
            .map(s -> s.owner().path("pid").asLong())).containsOnly(child.process.pid());
        child.kill9();
        killed = System.nanoTime();
      }
      // Nobody deletes them: the child's keep-alives stopped, so the Grid's session-timeout reaps them.
      // Grid checks a session's timeout when the session is accessed, and otherwise only in a sweep every
      // 30 s. So as not to wait for that sweep, the test sends each session one command once T has surely
      // passed since its last access (sooner, the command would count as an access and keep it alive):
      // the Grid then finds it timed out and reaps it. The reaping is still the Grid's own timeout's.
      long killedAt = killed;
      AtomicBoolean asked = new AtomicBoolean();
      await().atMost(REAP_BOUND.plusSeconds(5)).pollInterval(Duration.ofMillis(250)).until(() -> {
        if (System.nanoTime() - killedAt - ASK_AFTER.toNanos() >= 0 && asked.compareAndSet(false, true)) {
          for (String id : theirs) {
            GridProcess.sessionGone(grid.url(), id);
          }
        }
        return GridProcess.sessionIds(grid.url()).stream().noneMatch(theirs::contains);
      });
      Duration took = Duration.ofNanos(System.nanoTime() - killed);
      System.out.println("GridLifelineTest: the Grid reaped the killed JVM's sessions " + took.toMillis()
          + " ms after the kill (T = " + T + " s, bound " + REAP_BOUND + ")");
      assertThat(took).as("reaped by the Grid's timeout, not earlier").isGreaterThanOrEqualTo(Duration.ofSeconds(T - 1));

      // The keeper's session has had no CDP traffic since before the kill, longer than T and through the
      // expiry that reaped the child's: only the pool's keep-alive probe saved it.
      assertThat(GridProcess.sessionIds(grid.url())).containsExactlyElementsOf(kept);
      try (BrowserLease lease = pool.acquire()) {
        assertThat(lease.browserId()).isEqualTo(kept.get(0));
        Pages.navigate(lease.newPage(), "about:blank", Duration.ofSeconds(30));
      }
    }
  }

  @Test
  void aNewPoolOnThisHostDeletesADeadJvmsSessionsAtOnceAndNothingElse() throws Exception {
    String unlabelled = null;
    String foreign = null;
    // The child JVMs start first, so that they boot while this JVM's pool makes its session.
    try (ChildPool alive = ChildPool.start(1, "alive-child", grid.url().toString());
        ChildPool doomed = ChildPool.start(2, "dead-child", grid.url().toString());
        BrowserPool live = BrowserPool.start(PoolConfig.builder().maxContextsPerBrowser(1).poolName("live-here").seleniumGrid(grid.url())
            .maxBrowsers(1).build());
        BrowserLease liveLease = live.acquire()) {
      List<String> aliveSessions = sessionIds(alive);
      List<String> dead = sessionIds(doomed);
      // Made now, so that they are younger than T when the sweep runs (nobody keeps them alive); both at once.
      CompletableFuture<String> unlabelledSession = CompletableFuture.supplyAsync(() -> create(""));
      // A label naming a PID that is dead here, but from another machine: the sweep cannot judge it.
      foreign = create(",\"browserpool:owner\":{\"host\":\"elsewhere\","
          + "\"machine\":\"another-boot/pid:[1]\",\"pid\":999999,\"start\":\"2020-01-01T00:00:00Z\",\"pool\":\"x\"}");
      unlabelled = unlabelledSession.get(90, TimeUnit.SECONDS);
      doomed.kill9();
      // Touched now (an access for the Grid), so that nobody's session reaches T before the checks below.
      for (String id : List.of(unlabelled, foreign, dead.get(0), dead.get(1))) {
        assertThat(GridProcess.sessionAlive(grid.url(), id)).as("session " + id).isTrue();
      }

      try (BrowserPool sweeper = BrowserPool.start(PoolConfig.builder().maxContextsPerBrowser(1).poolName("sweeper")
          .seleniumGrid(grid.url()).build())) {
        // At once: start() returned after deleting them.
        for (String id : dead) {
          assertThat(GridProcess.sessionGone(grid.url(), id)).as("dead JVM's session " + id).isTrue();
        }
        for (String id : List.of(unlabelled, foreign, liveLease.browserId(), aliveSessions.get(0))) {
          assertThat(GridProcess.sessionAlive(grid.url(), id)).as("session " + id).isTrue();
        }
        assertThat(sweeper.stats().total()).isZero();
      }
      Pages.navigate(liveLease.newPage(), "about:blank", Duration.ofSeconds(30));
      alive.finish();
    } finally {
      for (String id : new String[] {unlabelled, foreign}) {
        if (id != null) {
          GridProcess.deleteSession(grid.url(), id);
        }
      }
    }
  }

  /** A session made directly over W3C, without a pool, with these extra capabilities. */
  private static String create(String extraCapsJson) {
    try {
      return GridProcess.createSession(grid.url(), extraCapsJson);
    } catch (Exception e) {
      throw new IllegalStateException("POST /session failed", e);
    }
  }

  /** The Grid session ids a child pool reports once it holds its leases. */
  private static List<String> sessionIds(ChildPool child) throws Exception {
    return child.awaitReady(Duration.ofSeconds(90)).stream().map(ChildPool.Browser::id).toList();
  }
}
