package io.github.browserpool.spring.example;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.browserpool.BrowserPool;
import io.github.browserpool.BrowserPoolMXBean;
import io.github.browserpool.examples.DemoSite;
import io.github.browserpool.test.LeakCheck;
import java.io.IOException;
import java.lang.management.ManagementFactory;
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
import java.util.concurrent.TimeUnit;
import javax.management.JMX;
import javax.management.ObjectName;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The example application started for real on a random port, with real Chromium, its pool configured
 * by application.properties. The pool's profile dirs go to a temp dir of this test's own, so that the
 * leak check sees only this test's processes and dirs.
 */
@Tag("chromium")
@Timeout(120)
@ExtendWith(PageInfoApplicationChromiumTest.AfterSpring.class) // before @SpringBootTest: its afterAll runs after Spring's
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class PageInfoApplicationChromiumTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static DemoSite site;
  private static Path tempRoot;

  @Autowired
  BrowserPool pool;

  @LocalServerPort
  int port;

  @BeforeAll
  static void startSite() throws IOException {
    site = DemoSite.start(30);
    tempRoot = Files.createTempDirectory("page-info-test");
  }

  /** Once Spring has closed this class's context (@DirtiesContext): nothing left, then the site stops. */
  static final class AfterSpring implements AfterAllCallback {
    @Override
    public void afterAll(ExtensionContext extension) throws IOException {
      try {
        LeakCheck.assertNothingLeft(tempRoot);
      } finally {
        site.close();
        LeakCheck.deleteTree(tempRoot);
      }
    }
  }

  @DynamicPropertySource
  static void pool(DynamicPropertyRegistry registry) {
    registry.add("browserpool.temp-root", () -> tempRoot.toString());
    // The 50 requests share 16 leases (2 browsers x 8 contexts): the last ones wait for the first 34 page
    // loads. About 5 s on a quiet machine; 90 s covers a machine shared with other builds (measured: 35 s
    // at a load average of 50 on 2 cores), where the application's own 30 s ran out.
    registry.add("browserpool.acquire-timeout", () -> "90s");
    // @SpringBootTest turns JMX off (spring.jmx.enabled=false), and with it the pool's MBean: on again here.
    registry.add("spring.jmx.enabled", () -> "true");
  }

  private static HttpResponse<String> get(String url) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String pageInfoUrl(int port, String pageUrl) {
    return "http://127.0.0.1:" + port + "/page-info?url=" + URLEncoder.encode(pageUrl, StandardCharsets.UTF_8);
  }

  private static CompletableFuture<HttpResponse<String>> getAsync(String url) {
    return HTTP.sendAsync(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void fiftyConcurrentRequestsAreAllAnsweredWithTheRightTitleAndLinks() throws Exception {
    List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      calls.add(getAsync(pageInfoUrl(port, site.url(i % site.size()))));
    }
    for (int i = 0; i < 50; i++) {
      HttpResponse<String> r = calls.get(i).get(90, TimeUnit.SECONDS);
      assertThat(r.statusCode()).as("request %d: %s", i, r.body()).isEqualTo(200);
      JsonNode body = JSON.readTree(r.body());
      int n = i % site.size();
      assertThat(body.get("title").asText()).isEqualTo("Page " + n);
      assertThat(body.get("links")).isNotEmpty();
      body.get("links").forEach(link -> assertThat(link.asText()).startsWith(site.url(0).replace("/page/0", "/page/")));
    }
  }

  @Test
  void aUrlOffTheAllowedHostsIsRefusedWithoutABrowser() throws Exception {
    long launched = launchedNow();
    HttpResponse<String> r = get(pageInfoUrl(port, "file:///etc/passwd"));
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(launchedNow()).isEqualTo(launched);
  }

  private long launchedNow() {
    return pool.stats().launched();
  }

  @Test
  void healthShowsTheBrowserpoolUpWithItsDetailsAndTheMetricsAreServed() throws Exception {
    get(pageInfoUrl(port, site.startUrl())); // one lease, so that the timers have a count
    HttpResponse<String> health = get("http://127.0.0.1:" + port + "/actuator/health");
    assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
    JsonNode pool = JSON.readTree(health.body()).get("components").get("browserpool");
    assertThat(pool.get("status").asText()).isEqualTo("UP");
    assertThat(pool.get("details").get("pool").asText()).isEqualTo("page-info");
    assertThat(pool.get("details").get("state").asText()).isEqualTo("serving");
    assertThat(pool.get("details").get("launched").asLong()).isPositive();
    assertThat(pool.get("details").get("maxBrowsers").asInt()).isEqualTo(2);

    JsonNode names = JSON.readTree(get("http://127.0.0.1:" + port + "/actuator/metrics").body()).get("names");
    List<String> meters = new ArrayList<>();
    names.forEach(n -> meters.add(n.asText()));
    assertThat(meters).contains("browserpool.browsers", "browserpool.acquire", "browserpool.launched",
        "browserpool.leases.active", "browserpool.lease.held");
    JsonNode acquire = JSON.readTree(
        get("http://127.0.0.1:" + port + "/actuator/metrics/browserpool.acquire?tag=pool:page-info").body());
    assertThat(acquire.get("measurements").get(0).get("value").asDouble()).as("COUNT").isPositive();
  }

  @Test
  void readinessGoesOutOfServiceWhileThePoolIsSuspendedOverJmx() throws Exception {
    String readiness = "http://127.0.0.1:" + port + "/actuator/health/readiness";
    assertThat(get(readiness).statusCode()).isEqualTo(200);
    BrowserPoolMXBean mbean = JMX.newMXBeanProxy(ManagementFactory.getPlatformMBeanServer(),
        new ObjectName("io.github.browserpool:type=BrowserPool,name=page-info"), BrowserPoolMXBean.class);
    mbean.suspendPool();
    try {
      HttpResponse<String> suspended = get(readiness);
      assertThat(suspended.statusCode()).isEqualTo(503);
      assertThat(JSON.readTree(suspended.body()).get("status").asText()).isEqualTo("OUT_OF_SERVICE");
      assertThat(get("http://127.0.0.1:" + port + "/actuator/health/liveness").statusCode())
          .as("liveness does not include the pool").isEqualTo(200);
    } finally {
      mbean.resumePool();
    }
    assertThat(get(readiness).statusCode()).isEqualTo(200);
  }

  @Test
  void aShutdownWithFourRequestsInFlightLetsThemFinishAndLeavesNothing() throws Exception {
    Path root = Files.createTempDirectory("page-info-shutdown");
    ConfigurableApplicationContext app = SpringApplication.run(PageInfoApplication.class,
        "--server.port=0", "--browserpool.temp-root=" + root, "--browserpool.pool-name=page-info-shutdown",
        "--spring.lifecycle.timeout-per-shutdown-phase=20s");
    BrowserPool appPool = app.getBean(BrowserPool.class);
    int appPort = Integer.parseInt(app.getEnvironment().getProperty("local.server.port"));
    try {
      List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        inFlight.add(getAsync(pageInfoUrl(appPort, site.url(i))));
      }
      // Close once all four hold a lease (a registration, not time passing).
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (appPool.stats().activeLeases() < 4 && !inFlight.stream().allMatch(CompletableFuture::isDone)) {
        assertThat(System.nanoTime()).as("4 leases in flight within 60 s").isLessThan(until);
        Thread.onSpinWait();
      }
      app.close();
      for (CompletableFuture<HttpResponse<String>> call : inFlight) {
        HttpResponse<String> r = call.get(60, TimeUnit.SECONDS);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      }
      assertThat(appPool.isClosed()).isTrue();
      assertThat(appPool.stats().leasesRevoked()).as("no lease was taken away").isZero();
      LeakCheck.assertNothingLeft(root);
    } finally {
      app.close();
      LeakCheck.deleteTree(root);
    }
  }

  @Test
  void aWrongChromeExecutableStartsTheApplicationWithTheHealthDownAndTheLaunchError() throws Exception {
    Path root = Files.createTempDirectory("page-info-nochrome");
    try (ConfigurableApplicationContext app = SpringApplication.run(PageInfoApplication.class,
        "--server.port=0", "--browserpool.temp-root=" + root, "--browserpool.pool-name=page-info-nochrome",
        "--browserpool.chrome-executable=/nonexistent/chromium")) {
      int appPort = Integer.parseInt(app.getEnvironment().getProperty("local.server.port"));
      HttpResponse<String> health = get("http://127.0.0.1:" + appPort + "/actuator/health");
      assertThat(health.statusCode()).as("DOWN is served as 503").isEqualTo(503);
      JsonNode pool = JSON.readTree(health.body()).get("components").get("browserpool");
      assertThat(pool.get("status").asText()).isEqualTo("DOWN");
      assertThat(pool.get("details").get("launchError").asText())
          .contains("/nonexistent/chromium", "does not exist", "apt-get install -y chromium-headless-shell");
      HttpResponse<String> page = get(pageInfoUrl(appPort, site.startUrl()));
      assertThat(page.statusCode()).as("a request that needs a browser fails").isEqualTo(500);
    } finally {
      LeakCheck.assertNothingLeft(root);
      LeakCheck.deleteTree(root);
    }
  }
}
