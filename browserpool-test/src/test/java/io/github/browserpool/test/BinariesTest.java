package io.github.browserpool.test;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the test binaries are looked for, in made-up environments: nothing is launched. */
class BinariesTest {
  @TempDir Path tmp;

  @Test
  void chromiumIsChromePathElseTheFirstNameOnPathInNameOrder() throws Exception {
    Path bin = Files.createDirectory(tmp.resolve("bin"));
    Path later = Files.createDirectory(tmp.resolve("later"));
    Path browser = executable(bin.resolve("chromium-browser"));
    Path first = executable(later.resolve("chromium"));
    Files.writeString(bin.resolve("google-chrome"), "not executable");

    assertThat(Binaries.findChromium(Map.of("PATH", "/nonexistent::" + bin))).contains(browser);
    assertThat(Binaries.findChromium(Map.of("PATH", bin + ":" + later)))
        .as("an earlier name wins over an earlier PATH entry").contains(first);
    assertThat(Binaries.findChromium(Map.of("PATH", bin.toString(), "CHROME_PATH", "/opt/my/chrome")))
        .contains(Path.of("/opt/my/chrome"));
    assertThat(Binaries.findChromium(Map.of("PATH", bin.toString(), "CHROME_PATH", " "))).contains(browser);
    assertThat(Binaries.findChromium(Map.of("PATH", tmp.toString()))).isEmpty();
    assertThat(Binaries.findChromium(Map.of())).isEmpty();
    executable(bin.resolve("chromium-headless-shell"));
    assertThat(Binaries.findChromium(Map.of("PATH", bin.toString()))).as("never the shell").contains(browser);
    assertThat(Binaries.findChromium(Map.of("PATH", bin.toString(), "CHROME_PATH", "/opt/chromium-headless-shell")))
        .as("a CHROME_PATH naming a headless shell is not full Chromium").contains(browser);
  }

  @Test
  void thePoolsBrowserIsChromePathElseTheHeadlessShellElseFullChromium() throws Exception {
    Path bin = Files.createDirectory(tmp.resolve("bin"));
    Path later = Files.createDirectory(tmp.resolve("later"));
    Path full = executable(bin.resolve("chromium"));
    assertThat(Binaries.findPoolBrowser(Map.of("PATH", bin + ":" + later))).contains(full);
    Path testing = executable(bin.resolve("chrome-headless-shell"));
    assertThat(Binaries.findPoolBrowser(Map.of("PATH", bin + ":" + later))).contains(testing);
    Path debian = executable(later.resolve("chromium-headless-shell"));
    assertThat(Binaries.findPoolBrowser(Map.of("PATH", bin + ":" + later)))
        .as("an earlier name wins over an earlier PATH entry").contains(debian);
    assertThat(Binaries.findPoolBrowser(Map.of("PATH", bin + ":" + later, "CHROME_PATH", full.toString())))
        .contains(full);
    assertThat(Binaries.findPoolBrowser(Map.of())).isEmpty();
    assertThat(Binaries.isHeadlessShell(debian)).isTrue();
    assertThat(Binaries.isHeadlessShell(testing)).isTrue();
    assertThat(Binaries.isHeadlessShell(full)).isFalse();
  }

  @Test
  void chromedriverIsTheFirstOnPath() throws Exception {
    Path bin = Files.createDirectory(tmp.resolve("bin"));
    Path later = Files.createDirectory(tmp.resolve("later"));
    Files.createDirectory(bin.resolve("chromedriver")); // a dir of that name is skipped
    Path driver = executable(later.resolve("chromedriver"));

    assertThat(Binaries.findChromedriver(Map.of("PATH", bin + ":" + later))).contains(driver);
    assertThat(Binaries.findChromedriver(Map.of("PATH", bin.toString(), "CHROME_PATH", driver.toString()))).isEmpty();
  }

  private static Path executable(Path p) throws Exception {
    Files.writeString(p, "#!/bin/sh\nexit 0\n");
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    return p;
  }
}
