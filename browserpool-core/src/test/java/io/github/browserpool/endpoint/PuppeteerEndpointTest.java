package io.github.browserpool.endpoint;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.browserpool.BrowserLease;
import io.github.browserpool.BrowserPool;
import io.github.browserpool.ChromiumLeaks;
import io.github.browserpool.PoolConfig;
import io.github.browserpool.chrome.ProcFs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * puppeteer-core, run by node, drives a lease through its endpoint. The test installs puppeteer-core
 * itself (npm, into target/puppeteer, once) with PUPPETEER_SKIP_DOWNLOAD: the pool's Chromium is used.
 */
@Tag("chromium")
class PuppeteerEndpointTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path DIR = Path.of("target", "puppeteer").toAbsolutePath();

  private static final String SCRIPT = """
      import puppeteer from 'puppeteer-core';
      const [ws, url] = process.argv.slice(2);
      const out = {};
      const browser = await puppeteer.connect({ browserWSEndpoint: ws, protocolTimeout: 15000 });
      out.contexts = browser.browserContexts().length;
      const page = await browser.newPage();
      await page.goto(url);
      out.title = await page.title();
      out.cookies = (await browser.cookies()).map(c => c.name + '=' + c.value);
      const started = Date.now();
      try { await browser.close(); out.closeResolved = true; } catch (e) { out.closeError = String(e); }
      out.closeMs = Date.now() - started;
      out.connectedAfterClose = browser.connected;
      // The refused close did no harm: connect again, the page is still there, then disconnect.
      const again = await puppeteer.connect({ browserWSEndpoint: ws, protocolTimeout: 15000 });
      const pages = await again.pages();
      out.urlsAfterClose = pages.map(p => p.url());
      const same = pages.find(p => p.url() === url);
      out.titleAfterClose = same ? await same.title() : null;
      await again.disconnect();
      out.disconnected = !again.connected;
      console.log(JSON.stringify(out));
      """;

  /** Puppeteer's page.tracing through the endpoint: a trace of the page, or the refusal's words. */
  private static final String TRACE_SCRIPT = """
      import puppeteer from 'puppeteer-core';
      const [ws, url] = process.argv.slice(2);
      const out = {};
      const browser = await puppeteer.connect({ browserWSEndpoint: ws, protocolTimeout: 30000 });
      const page = await browser.newPage();
      try {
        await page.tracing.start({ screenshots: true });
        await page.goto(url);
        const trace = JSON.parse(Buffer.from(await page.tracing.stop()).toString('utf8'));
        out.events = trace.traceEvents.length;
        out.hasUrl = JSON.stringify(trace).includes(url);
        out.screenshots = trace.traceEvents.filter(e => e.name === 'Screenshot').length;
      } catch (e) {
        out.error = String(e && e.message || e);
      }
      out.titleAfter = await page.title();
      await browser.disconnect();
      console.log(JSON.stringify(out));
      """;

  @TempDir Path tempRoot;

  @AfterEach
  void nothingLeft() {
    ChromiumLeaks.assertNothingLeftUnder(tempRoot);
  }

  @Test
  void puppeteerConnectsNavigatesAndCannotCloseTheBrowser() throws Exception {
    Path script = installPuppeteer();
    try (TestSite site = new TestSite();
        BrowserPool pool = BrowserPool.start(PoolConfig.builder().maxContextsPerBrowser(1).poolName("pptr").tempRoot(tempRoot).build());
        BrowserLease lease = pool.acquire()) {
      String url = site.url("/form");
      JsonNode out = JSON.readTree(run(List.of("node", script.toString(), lease.cdpEndpoint().toString(), url)));
      assertThat(out.path("contexts").asInt()).isEqualTo(1);
      assertThat(out.path("title").asText()).isEqualTo("the form");
      assertThat(out.path("cookies").toString()).contains("seen=yes");
      assertThat(out.path("closeResolved").asBoolean()).as("browser.close() resolves: %s", out).isTrue();
      assertThat(out.path("connectedAfterClose").asBoolean()).isFalse();
      assertThat(out.path("titleAfterClose").asText()).as("the page survived browser.close()").isEqualTo("the form");
      assertThat(out.path("disconnected").asBoolean()).isTrue();
      assertThat(ProcFs.isAlive(lease.browserPid())).isTrue();
      assertThat(lease.isActive()).isTrue();
      assertThat(lease.newPage().getRuntime().evaluate("2+2").getResult().getValue()).isEqualTo(4);
    }
  }

  @Test
  void pageTracingWorksWithABrowserOfTheLeasesOwnAndIsRefusedInASharedOne() throws Exception {
    Path script = installPuppeteer("trace.mjs", TRACE_SCRIPT);
    try (TestSite site = new TestSite()) {
      String url = site.url("/form?trace");
      try (BrowserPool pool = BrowserPool.start(PoolConfig.builder().maxContextsPerBrowser(1).poolName("pptr-alone")
              .tempRoot(tempRoot).build());
          BrowserLease lease = pool.acquire()) {
        JsonNode out = JSON.readTree(run(List.of("node", script.toString(), lease.cdpEndpoint().toString(), url)));
        assertThat(out.has("error")).as("page.tracing: %s", out).isFalse();
        assertThat(out.path("events").asInt()).as("trace events").isGreaterThan(10);
        assertThat(out.path("hasUrl").asBoolean()).as("the page's URL is in its trace").isTrue();
        assertThat(out.path("screenshots").asInt()).as("screenshots in the trace").isGreaterThan(0);
        assertThat(out.path("titleAfter").asText()).isEqualTo("the form");
      }
      try (BrowserPool pool = BrowserPool.start(PoolConfig.builder().maxContextsPerBrowser(2).poolName("pptr-shared")
              .tempRoot(tempRoot).build());
          BrowserLease lease = pool.acquire()) {
        JsonNode out = JSON.readTree(run(List.of("node", script.toString(), lease.cdpEndpoint().toString(), url)));
        assertThat(out.path("error").asText()).as("page.tracing.start in a shared browser: %s", out)
            .contains("Tracing.start is not allowed in a browser that leases share")
            .contains("maxContextsPerBrowser(1)");
        assertThat(out.path("titleAfter").asText()).as("the page goes on").isEqualTo("");
        assertThat(lease.isActive()).isTrue();
      }
    }
  }

  private static Path installPuppeteer() throws Exception {
    return installPuppeteer("drive.mjs", SCRIPT);
  }

  /** Installs puppeteer-core@24 under target/puppeteer unless it is there; writes {@code text} as {@code name}. */
  static Path installPuppeteer(String name, String text) throws Exception {
    Files.createDirectories(DIR);
    if (!Files.isDirectory(DIR.resolve("node_modules/puppeteer-core"))) {
      Files.writeString(DIR.resolve("package.json"), "{\"name\":\"bp-pptr-test\",\"private\":true,\"type\":\"module\"}");
      run(List.of("npm", "install", "--no-audit", "--no-fund", "--loglevel=error", "puppeteer-core@24"));
    }
    Path script = DIR.resolve(name);
    Files.writeString(script, text);
    return script;
  }

  /** Runs {@code command} in the Puppeteer directory (180 s at most) and returns its last line of output. */
  static String run(List<String> command) throws IOException, InterruptedException {
    Path log = DIR.resolve("output.txt");
    ProcessBuilder builder = new ProcessBuilder(command).directory(DIR.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    builder.environment().put("PUPPETEER_SKIP_DOWNLOAD", "1");
    Process process = builder.start();
    try {
      if (!process.waitFor(180, TimeUnit.SECONDS)) {
        throw new AssertionError(command + " did not finish within 180 s: " + Files.readString(log));
      }
    } finally {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
    String text = Files.readString(log, StandardCharsets.UTF_8);
    assertThat(process.exitValue()).as("%s printed:%n%s", command, text).isZero();
    String[] lines = text.trim().split("\n");
    return lines[lines.length - 1];
  }
}
