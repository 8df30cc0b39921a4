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

  /** Installs puppeteer-core@24 under target/puppeteer unless it is there; returns the script's path. */
  private static Path installPuppeteer() throws Exception {
    return installPuppeteer("drive.mjs", SCRIPT);
  }

  /** As {@link #installPuppeteer()}, for another script: writes {@code script} as {@code name} beside it. */
  static Path installPuppeteer(String name, String script) throws Exception {
    Files.createDirectories(DIR);
    if (!Files.isDirectory(DIR.resolve("node_modules/puppeteer-core"))) {
      Files.writeString(DIR.resolve("package.json"), "{\"name\":\"bp-pptr-test\",\"private\":true,\"type\":\"module\"}");
      run(List.of("npm", "install", "--no-audit", "--no-fund", "--loglevel=error", "puppeteer-core@24"));
    }
    Path path = DIR.resolve(name);
    Files.writeString(path, script);
    return path;
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
