package io.github.browserpool.chrome;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.browserpool.BrowserLaunchException;
import io.github.browserpool.test.Binaries;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** LaunchSpec and ChromeExecutable, without launching anything. */
class LaunchSettingsTest {
  @TempDir Path tmp;

  @Test
  void argumentsCarryTheHeadlessPipeFlagsAndExtrasComeLast() {
    LaunchSpec spec = LaunchSpec.builder().tempRoot(tmp).noSandbox(true).extraArgs(List.of("--window-size=800,600")).build();
    List<String> args = spec.arguments(Path.of("/x/chromelambda-a"));
    assertThat(args).contains("--headless", "--no-first-run", "--no-default-browser-check",
        "--disable-background-networking", "--disable-sync", "--disable-component-update", "--disable-default-apps",
        "--disable-gpu", "--disable-breakpad", "--disable-crash-reporter", "--mute-audio", "--remote-debugging-pipe",
        "--user-data-dir=/x/chromelambda-a", "--no-sandbox");
    assertThat(args).last().isEqualTo("--window-size=800,600");
    assertThat(args).filteredOn(a -> a.startsWith("--user-data-dir")).hasSize(1);
    assertThat(LaunchSpec.builder().tempRoot(tmp).noSandbox(false).build().arguments(Path.of("/x")))
        .doesNotContain("--no-sandbox");
  }

  @Test
  void theHeadlessShellGetsNoSwitchOrFeatureOnlyFullChromiumHas() {
    LaunchSpec spec = LaunchSpec.builder().tempRoot(tmp).noSandbox(true)
        .extraArgs(List.of("--disable-features=Translate", "--headless", "--window-size=800,600")).build();
    List<String> shell = spec.arguments(Path.of("/x/chromelambda-a"), true);
    assertThat(shell).containsExactly("--disable-gpu", "--disable-breakpad", "--disable-crash-reporter",
        "--mute-audio", "--remote-debugging-pipe", "--user-data-dir=/x/chromelambda-a", "--site-per-process", "--no-sandbox",
        "--disable-features=SpareRendererForSitePerProcess,Translate", "--headless", "--window-size=800,600")
        .as("the user's own extras are passed as given, even --headless");
    List<String> full = spec.arguments(Path.of("/x/chromelambda-a"), false);
    assertThat(full).containsAll(ChromeFlags.FULL_CHROMIUM_ONLY_SWITCHES)
        .contains("--disable-features=" + String.join(",", ChromeFlags.DISABLED_FEATURES) + ",Translate");
    assertThat(ChromeFlags.DISABLED_FEATURES).containsAll(ChromeFlags.HEADLESS_SHELL_DISABLED_FEATURES);

    assertThat(LaunchSpec.builder().tempRoot(tmp).noSandbox(true).executable(Path.of("/usr/bin/chromium-headless-shell"))
        .build().arguments(Path.of("/x"))).as("the kind follows the executable's name")
        .isEqualTo(LaunchSpec.builder().tempRoot(tmp).noSandbox(true).build().arguments(Path.of("/x"), true));
    assertThat(LaunchSpec.builder().tempRoot(tmp).noSandbox(true).executable(Path.of("/opt/chrome"))
        .build().arguments(Path.of("/x"))).contains("--headless", "--no-startup-window");
  }

  @Test
  void oneDisableFeaturesSwitchCarriesOursAndTheUsersOwn() {
    LaunchSpec spec = LaunchSpec.builder().tempRoot(tmp)
        .extraArgs(List.of("--disable-features=Translate, AutofillServerCommunication", "--lang=de",
            "--disable-features=Translate,MediaRouter")).build();
    List<String> args = spec.arguments(Path.of("/x"));
    assertThat(args).filteredOn(a -> a.startsWith("--disable-features=")).containsExactly("--disable-features="
        + String.join(",", ChromeFlags.DISABLED_FEATURES) + ",Translate,AutofillServerCommunication,MediaRouter");
    assertThat(args).last().isEqualTo("--lang=de");
    assertThat(LaunchSpec.builder().tempRoot(tmp).build().arguments(Path.of("/x")))
        .contains("--disable-features=" + String.join(",", ChromeFlags.DISABLED_FEATURES));
  }

  @Test
  void noSandboxDefaultsToRootOnly() {
    boolean root = "root".equals(System.getProperty("user.name"));
    LaunchSpec spec = LaunchSpec.builder().tempRoot(tmp).build();
    assertThat(spec.noSandbox()).isEqualTo(root);
    assertThat(spec.arguments(Path.of("/x")).contains("--no-sandbox")).isEqualTo(root);
    assertThat(LaunchSpec.builder().tempRoot(tmp).noSandbox(!root).build().noSandbox()).isEqualTo(!root);
  }

  @Test
  void builderNeedsATempRoot() {
    assertThatThrownBy(() -> LaunchSpec.builder().build()).isInstanceOf(NullPointerException.class)
        .hasMessageContaining("tempRoot");
  }

  @Test
  void locateFailsListingEveryPlaceTriedAndHowToInstall() throws Exception {
    Path emptyDir = Files.createDirectory(tmp.resolve("bin"));
    // A directory and a non-executable file with a candidate's name do not count as found.
    Files.createDirectory(emptyDir.resolve("chromium"));
    Path plain = Files.writeString(emptyDir.resolve("google-chrome"), "not a program");
    Files.setPosixFilePermissions(plain, PosixFilePermissions.fromString("rw-r--r--"));
    assertThatThrownBy(() -> ChromeExecutable.locate(null, Map.of("PATH", emptyDir.toString())))
        .isInstanceOf(BrowserLaunchException.class)
        .hasMessageContaining("CHROME_PATH (not set)")
        .hasMessageContaining("chromium-headless-shell on PATH, chrome-headless-shell on PATH, chromium on PATH,"
            + " chromium-browser on PATH, google-chrome on PATH, google-chrome-stable on PATH")
        .hasMessageContaining("PATH=" + emptyDir)
        .hasMessageContaining("apt-get update && sudo apt-get install -y chromium-headless-shell")
        .hasMessageContaining("package `chromium`")
        .hasMessageContaining("PoolConfig.builder().chromeExecutable(...)")
        .hasMessageContaining("CHROME_PATH environment variable");
    assertThat(ChromeExecutable.CANDIDATES).containsExactly("chromium", "chromium-browser", "google-chrome",
        "google-chrome-stable");
    assertThatThrownBy(() -> ChromeExecutable.locate(null, false, Map.of("PATH", emptyDir.toString())))
        .hasMessageContaining("Tried: CHROME_PATH (not set), chromium on PATH,");
  }

  @Test
  void aBadChromePathIsNamed() {
    assertThatThrownBy(() -> ChromeExecutable.locate(null, Map.of("CHROME_PATH", "/nope/chrome", "PATH", "")))
        .isInstanceOf(BrowserLaunchException.class)
        .hasMessageContaining("CHROME_PATH points to /nope/chrome, which does not exist")
        .hasMessageContaining("apt-get install -y chromium");
  }

  @Test
  void locateSearchesConfiguredThenChromePathThenPathInOrder() throws Exception {
    Path bin = Files.createDirectory(tmp.resolve("bin"));
    Path later = Files.createDirectory(tmp.resolve("later"));
    Path browser = executable(bin.resolve("chromium-browser"));
    Path first = executable(later.resolve("chromium"));
    Path other = executable(tmp.resolve("my-chrome"));
    assertThat(ChromeExecutable.locate(null, Map.of("PATH", "/nonexistent::" + bin))).isEqualTo(browser);
    assertThat(ChromeExecutable.locate(null, Map.of("PATH", bin + ":" + later)))
        .as("an earlier name wins over an earlier PATH entry").isEqualTo(first);
    assertThat(ChromeExecutable.locate(null, Map.of("PATH", bin.toString(), "CHROME_PATH", other.toString())))
        .isEqualTo(other);
    assertThat(ChromeExecutable.locate(null, Map.of("PATH", bin.toString(), "CHROME_PATH", " "))).isEqualTo(browser);
    assertThat(ChromeExecutable.locate(browser, Map.of("CHROME_PATH", other.toString()))).isEqualTo(browser);
  }

  @Test
  void locatePrefersTheHeadlessShellUnlessFullChromiumIsAskedFor() throws Exception {
    Path bin = Files.createDirectory(tmp.resolve("bin"));
    Path later = Files.createDirectory(tmp.resolve("later"));
    Path full = executable(bin.resolve("chromium"));
    Path testing = executable(bin.resolve("chrome-headless-shell"));
    Path debian = executable(later.resolve("chromium-headless-shell"));
    Path other = executable(tmp.resolve("my-chrome"));
    String path = bin + ":" + later;
    assertThat(ChromeExecutable.locate(null, Map.of("PATH", path))).isEqualTo(debian);
    assertThat(ChromeExecutable.locate(null, Map.of("PATH", bin.toString()))).isEqualTo(testing);
    assertThat(ChromeExecutable.locate(null, false, Map.of("PATH", path))).isEqualTo(full);
    assertThat(ChromeExecutable.locate(null, true, Map.of("PATH", path, "CHROME_PATH", other.toString())))
        .isEqualTo(other);
    assertThat(ChromeExecutable.locate(full, true, Map.of("PATH", path))).isEqualTo(full);
    assertThat(ChromeExecutable.candidates(true)).containsExactly("chromium-headless-shell", "chrome-headless-shell",
        "chromium", "chromium-browser", "google-chrome", "google-chrome-stable");
    assertThat(ChromeExecutable.isHeadlessShell(debian)).isTrue();
    assertThat(ChromeExecutable.isHeadlessShell(Path.of("/opt/chrome-headless-shell-linux64/chrome_headless_shell"))).isTrue();
    assertThat(ChromeExecutable.isHeadlessShell(full)).isFalse();
    assertThat(ChromeExecutable.isHeadlessShell(other)).isFalse();
  }

  @Test
  void aLauncherScriptOfTheShellIsReplacedByTheBinaryItRuns() throws Exception {
    Path lib = Files.createDirectory(tmp.resolve("lib"));
    Path real = lib.resolve("chromium-headless-shell");
    Files.write(real, new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1});
    Files.setPosixFilePermissions(real, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path wrapper = tmp.resolve("chromium-headless-shell");
    Files.writeString(wrapper, "#!/bin/sh -e\n\n" + real + " \"$@\"\n"); // as Debian's /usr/bin one
    Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwxr-xr-x"));
    assertThat(ChromeExecutable.launchable(wrapper)).isEqualTo(real);
    assertThat(ChromeExecutable.launchable(real)).as("a binary is itself").isEqualTo(real);

    Path scriptOnly = tmp.resolve("chrome-headless-shell");
    Files.writeString(scriptOnly, "#!/bin/sh\nexec /nonexistent/chrome-headless-shell \"$@\"\n");
    assertThat(ChromeExecutable.launchable(scriptOnly)).as("names no file there").isEqualTo(scriptOnly);
    Path full = executable(tmp.resolve("chromium"));
    Files.writeString(full, "#!/bin/sh\n" + real + " \"$@\"\n");
    assertThat(ChromeExecutable.launchable(full)).as("full Chromium's launcher is left alone").isEqualTo(full);
  }

  @Test
  void testSupportFindsTheChromiumThePoolFinds() {
    assertThat(Binaries.CHROMIUM_NAMES).isEqualTo(ChromeExecutable.CANDIDATES);
    assertThat(Binaries.HEADLESS_SHELL_NAMES).isEqualTo(ChromeExecutable.HEADLESS_SHELL_CANDIDATES);
    Path found;
    try {
      found = ChromeExecutable.locate(null);
    } catch (BrowserLaunchException none) {
      assertThatThrownBy(Binaries::poolBrowser).as("no Chromium here either").isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("CHROME_PATH");
      return;
    }
    assertThat(Binaries.poolBrowser()).isEqualTo(found);
    assertThat(Binaries.isHeadlessShell(found)).isEqualTo(ChromeExecutable.isHeadlessShell(found));
  }

  @Test
  void locateRejectsABadConfiguredPathNamingIt() throws Exception {
    Path missing = tmp.resolve("missing-chrome");
    assertThatThrownBy(() -> ChromeExecutable.locate(missing)).isInstanceOf(BrowserLaunchException.class)
        .hasMessageContaining("PoolConfig.chromeExecutable points to " + missing + ", which does not exist");
    Path plain = Files.writeString(tmp.resolve("plain"), "not a program");
    Files.setPosixFilePermissions(plain, PosixFilePermissions.fromString("rw-r--r--"));
    assertThatThrownBy(() -> ChromeExecutable.locate(plain)).isInstanceOf(BrowserLaunchException.class)
        .hasMessageContaining(plain + ", which is not an executable file");
    assertThatThrownBy(() -> ChromeExecutable.locate(tmp)).isInstanceOf(BrowserLaunchException.class)
        .hasMessageContaining(tmp + ", which is not an executable file");
  }

  private static Path executable(Path p) throws Exception {
    Files.writeString(p, "#!/bin/sh\nexit 0\n");
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    return p;
  }
}
