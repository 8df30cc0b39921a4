package io.github.browserpool.endpoint;

import static org.assertj.core.api.Assertions.assertThat;
import org.junit.jupiter.api.Tag;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.browserpool.ChromiumLeaks;
import io.github.browserpool.chrome.ChromeExecutable;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The allow-list decides every method of the installed Chromium's protocol (of the binary the pool
 * launches: the suite runs this on the headless shell and on full Chromium): a Chromium that adds a
 * method fails this test until someone reviews the method and writes it into {@link CdpAllowList}.
 * The protocol is read from the browser itself ({@code /json/protocol} of a headless Chromium started
 * for the purpose, killed and deleted after).
 */
@Tag("chromium")
class CdpAllowListCoverageChromiumTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  /**
   * The binary a default pool launches (the headless shell where installed; CHROME_PATH picks another),
   * or the system property {@code browserpool.chromium}. The suite runs this test on both binaries.
   */
  private static final String CHROMIUM = System.getProperty("browserpool.chromium",
      ChromeExecutable.launchable(ChromeExecutable.locate(null)).toString());

  @TempDir Path tempRoot;

  @Test
  void everyMethodOfTheInstalledChromiumIsDecided() throws Exception {
    JsonNode protocol = installedProtocol();
    List<String> methods = new ArrayList<>();
    for (JsonNode domain : protocol.path("domains")) {
      for (JsonNode command : domain.path("commands")) {
        methods.add(domain.path("domain").asText() + "." + command.path("name").asText());
      }
    }
    assertThat(methods).as("the protocol has its usual domains").hasSizeGreaterThan(500)
        .contains("Runtime.evaluate", "Target.exposeDevToolsProtocol", "Browser.close");
    TreeSet<String> undecided = new TreeSet<>(methods);
    undecided.removeAll(CdpAllowList.methods());
    assertThat(undecided).as("methods of %s that CdpAllowList does not decide: review each and add it to the"
        + " table (page, both, scoped, local, or refuse with a reason)", protocol.path("version")).isEmpty();
    // The other way round is no failure: a client may still send a method that this Chromium dropped.
    TreeSet<String> gone = new TreeSet<>(CdpAllowList.methods());
    gone.removeAll(methods);
    assertThat(gone).as("table entries this Chromium does not have (stale, to be removed)").isEmpty();
  }

  /** Starts Chromium with its own profile under tempRoot, reads /json/protocol, kills it and deletes the profile. */
  private JsonNode installedProtocol() throws Exception {
    Path profile = Files.createDirectory(tempRoot.resolve("profile"));
    Process chromium = new ProcessBuilder(CHROMIUM, "--headless", "--no-sandbox", "--remote-debugging-port=0",
        "--disable-background-networking", "--no-first-run", "--user-data-dir=" + profile, "about:blank")
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    List<ProcessHandle> family = new ArrayList<>();
    try {
      Path portFile = profile.resolve("DevToolsActivePort");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      String port = null;
      while (port == null) {
        assertThat(System.nanoTime()).as("DevToolsActivePort within 30 s").isLessThan(deadline);
        assertThat(chromium.isAlive()).as("Chromium is running").isTrue();
        if (Files.exists(portFile)) {
          List<String> lines = Files.readAllLines(portFile);
          port = lines.isEmpty() || lines.get(0).isBlank() ? null : lines.get(0).trim();
        }
        if (port == null) {
          Thread.sleep(50); // polling a file that Chromium writes; bounded by the deadline above
        }
      }
      HttpResponse<String> reply = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/protocol"))
              .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(reply.statusCode()).isEqualTo(200);
      return JSON.readTree(reply.body());
    } finally {
      chromium.descendants().forEach(family::add);
      family.add(chromium.toHandle());
      family.forEach(ProcessHandle::destroyForcibly);
      for (ProcessHandle p : family) {
        p.onExit().get(10, TimeUnit.SECONDS);
        assertThat(p.isAlive()).as("Chromium process %s after the kill", p.pid()).isFalse();
      }
      deleteWithRetries(profile);
      assertThat(profile).doesNotExist();
      ChromiumLeaks.assertNothingLeftUnder(tempRoot);
    }
  }

  /** Deletes a profile; a dying Chromium may still write into it for a moment, so a few tries. */
  private static void deleteWithRetries(Path dir) throws Exception {
    for (int attempt = 0; ; attempt++) {
      try (Stream<Path> walk = Files.walk(dir)) {
        for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
        return;
      } catch (IOException e) {
        if (attempt == 20) {
          throw e;
        }
        Thread.sleep(100); // bounded: 20 tries
      }
    }
  }
}
