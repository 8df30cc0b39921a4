package io.github.browserpool.grid;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.browserpool.PoolConfig;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The W3C new-session body: headless Chromium, the owner label, and the user's capabilities merged in. */
class GridRequestTest {
  @Test
  void userCapabilitiesAndChromeArgumentsAreMergedIntoTheHeadlessRequestWithTheOwnerLabel() throws Exception {
    PoolConfig config = PoolConfig.builder().poolName("merge").seleniumGrid(URI.create("http://grid:4444/"))
        .addChromeArguments("--lang=de-DE")
        .gridCapabilities(Map.of("platformName", "linux", "se:team", "qa",
            "goog:chromeOptions", Map.of("args", List.of("--window-size=800,600"), "binary", "/opt/chrome")))
        .build();
    assertThat(config.seleniumGrid()).isEqualTo(URI.create("http://grid:4444"));
    JsonNode caps = newSessionRequest(config).path("capabilities").path("alwaysMatch");
    assertThat(caps.path("browserName").asText()).isEqualTo("chrome");
    assertThat(caps.path("platformName").asText()).isEqualTo("linux");
    assertThat(caps.path("se:team").asText()).isEqualTo("qa");
    JsonNode chrome = caps.path("goog:chromeOptions");
    assertThat(chrome.path("binary").asText()).isEqualTo("/opt/chrome");
    List<String> args = new com.fasterxml.jackson.databind.ObjectMapper().convertValue(chrome.path("args"),
        new com.fasterxml.jackson.core.type.TypeReference<List<String>>() {});
    assertThat(args).startsWith("--headless").contains("--no-sandbox", "--disable-background-networking")
        .endsWith("--window-size=800,600", "--lang=de-DE");
    assertThat(args).filteredOn(a -> a.startsWith("--disable-features="))
        .containsExactly("--disable-features=" + String.join(",", io.github.browserpool.chrome.ChromeFlags.DISABLED_FEATURES));
    JsonNode owner = caps.path(PoolConfig.GRID_OWNER_CAPABILITY);
    assertThat(owner.path("pool").asText()).isEqualTo("merge");
    assertThat(owner.path("request").asText()).isEqualTo("req-1");
    assertThat(GridOwner.isThisJvm(owner)).isTrue();
  }

  @Test
  void noSandboxFalseLeavesTheSandboxOn() {
    PoolConfig config = PoolConfig.builder().seleniumGrid(URI.create("http://grid:4444")).noSandbox(false).build();
    assertThat(newSessionRequest(config).toString()).doesNotContain("--no-sandbox");
  }

  private static JsonNode newSessionRequest(PoolConfig config) {
    return NewSession.body(config, "req-1");
  }
}
