package io.github.browserpool.spring.example;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.github.browserpool.test.LeakCheck;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The example application in a JVM of its own, stopped the way Kubernetes stops it: SIGTERM while 4
 * requests hold a lease. Their pages are held by a server of this test until the application has begun
 * its graceful shutdown, so the leases are surely in flight. Boot lets the requests finish, then the
 * starter closes the pool; browserpool's own JVM shutdown hook must not revoke the leases first.
 */
@Tag("chromium")
@Timeout(120)
class PageInfoSigtermChromiumTest {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final Pattern READY = Pattern.compile("try: curl 'http://127\\.0\\.0\\.1:(\\d+)/page-info");

  /**
   * Waits (up to 30 s) until the application stops answering new requests as it did: Boot's graceful
   * shutdown stops taking new requests and reports readiness REFUSING_TRAFFIC.
   */
  private static void awaitShutdownBegun(int appPort) throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < until) {
      try {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + appPort + "/actuator/health/readiness"))
            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
          return;
        }
      } catch (IOException e) {
        return; // refused, or not answered: no longer serving new requests
      }
    }
    throw new AssertionError("the application still served new requests 30 s after SIGTERM");
  }

  @Test
  void sigtermWithFourRequestsInFlightLetsThemFinishAndLeavesNothing() throws Exception {
    Path root = Files.createTempDirectory("page-info-sigterm");
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch held = new CountDownLatch(4);
    HttpServer slow = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    slow.setExecutor(Executors.newFixedThreadPool(8));
    slow.createContext("/held", exchange -> {
      try (exchange) {
        held.countDown();
        release.await(60, TimeUnit.SECONDS); // the page is answered once the test says so
        byte[] html = "<!doctype html><title>Held</title><a href=\"/held\">again</a>".getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
        exchange.sendResponseHeaders(200, html.length);
        exchange.getResponseBody().write(html);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    slow.start();
    String page = "http://127.0.0.1:" + slow.getAddress().getPort() + "/held";

    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process app = new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"),
        PageInfoApplication.class.getName(), "--server.port=0", "--browserpool.temp-root=" + root,
        "--browserpool.pool-name=page-info-sigterm", "--spring.jmx.enabled=false",
        "--spring.lifecycle.timeout-per-shutdown-phase=30s")
        .redirectErrorStream(true).start();
    List<String> output = java.util.Collections.synchronizedList(new ArrayList<>());
    CompletableFuture<Integer> port = new CompletableFuture<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(app.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          output.add(line);
          Matcher m = READY.matcher(line);
          if (m.find()) {
            port.complete(Integer.parseInt(m.group(1)));
          }
        }
      } catch (IOException e) {
        port.completeExceptionally(e);
      }
      port.completeExceptionally(new AssertionError("the application ended before it served: " + output));
    }, "page-info-output");
    reader.start();
    try {
      int appPort = port.get(60, TimeUnit.SECONDS);
      String url = "http://127.0.0.1:" + appPort + "/page-info?url=" + URLEncoder.encode(page, StandardCharsets.UTF_8);
      List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        inFlight.add(HTTP.sendAsync(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(90)).build(),
            HttpResponse.BodyHandlers.ofString()));
      }
      assertThat(held.await(60, TimeUnit.SECONDS)).as("4 leased browsers are loading the held page").isTrue();

      app.destroy(); // SIGTERM
      awaitShutdownBegun(appPort);
      release.countDown();

      for (CompletableFuture<HttpResponse<String>> call : inFlight) {
        HttpResponse<String> r = call.get(60, TimeUnit.SECONDS);
        assertThat(r.statusCode()).as("%s%n%s", r.body(), String.join("\n", output)).isEqualTo(200);
        assertThat(new ObjectMapper().readTree(r.body()).get("title").asText()).isEqualTo("Held");
      }
      assertThat(app.waitFor(60, TimeUnit.SECONDS)).as("the application exits").isTrue();
      // A lease revoked under a request (browserpool's own JVM shutdown hook closing the pool at once)
      // would have failed it with a 500: the 200s above are the proof that none was.
      LeakCheck.assertNothingLeft(root);
    } finally {
      release.countDown();
      if (app.isAlive()) {
        app.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      }
      slow.stop(0);
      ((java.util.concurrent.ExecutorService) slow.getExecutor()).shutdownNow();
      LeakCheck.deleteTree(root);
    }
  }
}
