package io.github.browserpool.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import org.junit.jupiter.api.Tag;
import static org.awaitility.Awaitility.await;

import com.github.kklisura.cdt.services.ChromeDevToolsService;
import com.sun.net.httpserver.HttpServer;
import io.github.browserpool.BrowserLease;
import io.github.browserpool.BrowserPool;
import io.github.browserpool.PoolConfig;
import io.github.browserpool.RawPage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The threads of a real Chromium pool: while it serves dense and keyed leases (pages with events, a raw
 * page, the CDP endpoint, contexts prepared ahead), every thread it starts is named after it, and within a
 * second of {@code close()} none of them is left, nor any other thread of browserpool's.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@ExtendWith(LeakGuard.class)
@Tag("chromium")
class PoolThreadsTest {
  private static final String POOL = "threads-e2e";
  private static final Duration LOAD = Duration.ofSeconds(30);
  /**
   * The threads of browserpool that outlive a pool by design, one per JVM, with the reason: the Cleaner's
   * thread, which watches every pool and lease for the safety nets.
   */
  private static final Set<String> JVM_WIDE = Set.of("browserpool-cleaner");

  @Test
  void everyThreadOfAClosedPoolIsGoneWithinOneSecond(Path tempRoot) throws Exception {
    HttpServer server = Pages.serve(Map.of("/", "<html><head><title>threads</title></head><body>hi</body></html>"));
    Set<Thread> before = Thread.getAllStackTraces().keySet();
    BrowserPool pool = BrowserPool.start(PoolConfig.builder().poolName(POOL).tempRoot(tempRoot)
        .maxBrowsers(2).maxContextsPerBrowser(3).build());
    // Every thread of ours that lives at some point while the pool works (threads idle out after seconds).
    Set<String> seen = ConcurrentHashMap.newKeySet();
    AtomicBoolean sampling = new AtomicBoolean(true);
    Thread sampler = new Thread(() -> {
      while (sampling.get()) {
        seen.addAll(ours(before));
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
      }
    }, "test-thread-sampler");
    sampler.start();
    try {
      List<BrowserLease> dense = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        dense.add(pool.acquire()); // three leases on one browser
      }
      for (BrowserLease lease : dense) {
        ChromeDevToolsService page = lease.newPage();
        Pages.navigate(page, Pages.url(server, "/"), LOAD); // its load event runs on the pool's cdp-events threads
      }
      try (BrowserLease keyed = pool.acquire("k")) { // the second browser
        RawPage raw = keyed.newRawPage();
        CountDownLatch rawLoad = new CountDownLatch(1);
        raw.call("Page.enable", raw.params());
        raw.subscribe("Page.loadEventFired", e -> rawLoad.countDown());
        raw.call("Page.navigate", raw.params().put("url", Pages.url(server, "/")));
        assertThat(rawLoad.await(LOAD.toSeconds(), TimeUnit.SECONDS)).as("raw load event delivered").isTrue();
        URI endpoint = keyed.cdpEndpoint(); // starts the endpoint server's event loop
        URI versionUrl = URI.create("http://" + endpoint.getAuthority() + endpoint.getPath() + "/json/version");
        HttpResponse<String> version = HttpClient.newHttpClient().send(HttpRequest.newBuilder(versionUrl)
            .timeout(LOAD).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(version.statusCode()).isEqualTo(200);
      }
      dense.forEach(BrowserLease::close);
      // The released contexts are replaced by ones prepared ahead (the pool's prepare threads).
      await().atMost(LOAD).until(() -> pool.stats().preparedContexts() > 0);
      sampling.set(false);
      sampler.join();
      assertThat(seen).as("the pool's threads, named after it")
          .anyMatch(n -> n.startsWith(POOL + "-cdp-events-"))
          .anyMatch(n -> n.startsWith(POOL + "-worker-"))
          .anyMatch(n -> n.startsWith(POOL + "-prepare-"))
          .anyMatch(n -> n.startsWith(POOL + "-reaper"))
          .anyMatch(n -> n.startsWith(POOL + "-cdp-endpoint"))
          .allMatch(n -> n.contains(POOL), "carries the pool's name");
    } finally {
      sampling.set(false);
      server.stop(0);
      pool.close();
    }
    long closed = System.nanoTime();
    Set<String> left = ours(before);
    while (!left.isEmpty() && System.nanoTime() - closed < TimeUnit.SECONDS.toNanos(1)) {
      TimeUnit.MILLISECONDS.sleep(10); // polling threads that end on their own
      left = ours(before);
    }
    assertThat(left).as("threads left 1 s after close(); the pool ran " + seen).isEmpty();
  }

  /**
   * The live threads started since {@code before} that carry the pool's name or browserpool's prefix,
   * except the JVM-wide ones.
   */
  private static Set<String> ours(Set<Thread> before) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && !before.contains(t))
        .map(Thread::getName)
        .filter(n -> n.contains(POOL) || n.startsWith("browserpool-"))
        .filter(n -> !JVM_WIDE.contains(n))
        .collect(Collectors.toSet());
  }
}
