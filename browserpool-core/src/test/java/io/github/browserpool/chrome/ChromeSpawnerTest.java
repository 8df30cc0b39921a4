package io.github.browserpool.chrome;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The launch's command line and environment, built without launching anything. */
class ChromeSpawnerTest {
  private static final Path EXE = Path.of("/opt/chromium/chrome");
  private static final Path DIR = Path.of("/tmp/chromelambda-x");

  @Test
  void withoutASubreaperTheShimExecsTheBrowserOnTheCdpPipe() {
    List<String> cmd = ChromeSpawner.command(null, EXE, List.of("--headless", "--remote-debugging-pipe"));

    assertThat(cmd).containsExactly("/bin/sh", "-c", ChromeSpawner.PIPE_SHIM, EXE.toString(), "--headless",
        "--remote-debugging-pipe");
    assertThat(ChromeSpawner.PIPE_SHIM).startsWith("exec ").contains("3<&0 4>&1");
  }

  @Test
  void underTiniTheSubreaperShimRunsAsTinisOnlyChild() {
    List<String> cmd = ChromeSpawner.command(Path.of("/usr/bin/tini"), EXE, List.of("--headless"));

    assertThat(cmd).containsExactly("/usr/bin/tini", "-s", "--", "/bin/sh", "-c", ChromeSpawner.SUBREAPER_SHIM,
        EXE.toString(), "--headless");
    assertThat(ChromeSpawner.SUBREAPER_SHIM).contains("echo \"$b\" > " + ChromeSpawner.PID_FILE + "\n");
  }

  @Test
  void theEnvironmentGivesARelativeTmpdirAndPrivateXdgDirs() {
    Map<String, String> env = ChromeSpawner.environment(DIR, DIR.resolve("tmp"), DIR.resolve("xdg-config"),
        DIR.resolve("xdg-cache"), Map.of("FAKE", "1"));

    assertThat(env).containsExactly(Map.entry("TMPDIR", "tmp"), Map.entry("XDG_CONFIG_HOME", DIR + "/xdg-config"),
        Map.entry("XDG_CACHE_HOME", DIR + "/xdg-cache"), Map.entry("FAKE", "1"));
  }

  @Test
  void extraEnvWinsOverTheLaunchsOwnSettings() {
    Map<String, String> env = ChromeSpawner.environment(DIR, DIR.resolve("tmp"), DIR.resolve("xdg-config"),
        DIR.resolve("xdg-cache"), Map.of("TMPDIR", "/elsewhere"));

    assertThat(env).containsEntry("TMPDIR", "/elsewhere").hasSize(3);
  }
}
