package io.github.browserpool.endpoint;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.browserpool.BrowserLease;
import io.github.browserpool.BrowserPool;
import io.github.browserpool.ChromiumLeaks;
import io.github.browserpool.PoolConfig;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * puppeteer-core's first {@code browser.newPage()} through a fresh lease's endpoint is the lease's
 * prepared page (Puppeteer attaches it through its tab target), and {@code evaluateOnNewDocument},
 * request interception and {@code setViewport} work on it as on its second, real, page.
 */
@Tag("chromium")
class WarmPagePuppeteerTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static final String SCRIPT = """
      import puppeteer from 'puppeteer-core';
      const [ws] = process.argv.slice(2);
      const out = {};
      const browser = await puppeteer.connect({ browserWSEndpoint: ws, protocolTimeout: 15000 });
      out.pagesAtConnect = (await browser.pages()).length;
      out.pages = [];
      for (let i = 0; i < 2; i++) {
        const askedAt = Date.now();
        const page = await browser.newPage();
        const got = { askedAt, timeOrigin: await page.evaluate(() => performance.timeOrigin),
            targetId: page.target()._targetId, url: page.url() };
        await page.evaluateOnNewDocument(() => { window.__inits = (window.__inits || 0) + 1; });
        await page.setViewport({ width: 333, height: 444 });
        await page.setRequestInterception(true);
        page.on('request', r => r.url().endsWith('/routed')
            ? r.respond({ contentType: 'text/html', body: '<title>routed</title>' }) : r.continue());
        await page.goto('http://127.0.0.1:9/routed');
        got.title = await page.title();
        got.inits = await page.evaluate(() => window.__inits);
        got.size = await page.evaluate(() => innerWidth + 'x' + innerHeight);
        out.pages.push(got);
      }
      out.pagesAtEnd = (await browser.pages()).length;
      await browser.disconnect();
      console.log(JSON.stringify(out));
      """;

  @TempDir Path tempRoot;

  @AfterEach
  void nothingLeft() {
    ChromiumLeaks.assertNothingLeftUnder(tempRoot);
  }

  @Test
  void puppeteersFirstNewPageIsThePreparedOne() throws Exception {
    Path script = PuppeteerEndpointTest.installPuppeteer("warm.mjs", SCRIPT);
    try (BrowserPool pool = BrowserPool.start(PoolConfig.builder().maxContextsPerBrowser(1).poolName("pptr-warm")
            .tempRoot(tempRoot).build());
        BrowserLease lease = pool.acquire()) {
      JsonNode out = JSON.readTree(PuppeteerEndpointTest.run(
          List.of("node", script.toString(), lease.cdpEndpoint().toString())));
      assertThat(out.path("pagesAtConnect").asInt()).as("%s", out).isZero();
      JsonNode first = out.path("pages").get(0);
      JsonNode second = out.path("pages").get(1);
      assertThat(first.path("timeOrigin").asDouble()).as("the first page was there before newPage(): %s", out)
          .isLessThan(first.path("askedAt").asDouble());
      assertThat(second.path("timeOrigin").asDouble()).as("the second page is a new one: %s", out)
          .isGreaterThan(second.path("askedAt").asDouble());
      assertThat(first.path("targetId").asText()).isNotEqualTo(second.path("targetId").asText());
      for (JsonNode page : out.path("pages")) {
        assertThat(page.path("url").asText()).isEqualTo("about:blank");
        assertThat(page.path("title").asText()).as("request interception: %s", out).isEqualTo("routed");
        assertThat(page.path("inits").asInt()).as("evaluateOnNewDocument: %s", out).isEqualTo(1);
        assertThat(page.path("size").asText()).as("setViewport: %s", out).isEqualTo("333x444");
      }
      assertThat(out.path("pagesAtEnd").asInt()).isEqualTo(2);
    }
  }
}
