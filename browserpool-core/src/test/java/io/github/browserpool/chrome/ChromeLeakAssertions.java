package io.github.browserpool.chrome;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Asserts that a test left no live process referencing its tempRoot and no chromelambda-* dir under it. */
final class ChromeLeakAssertions {
  private ChromeLeakAssertions() {}

  /** Returns "pid: cmdline" for every live (non-zombie) process whose command line mentions {@code tempRoot}. */
  static List<String> liveProcessesMentioning(Path tempRoot) {
    List<String> forms = forms(tempRoot);
    List<String> found = new ArrayList<>();
    for (long pid : ProcFs.pids()) {
      if (pid == ProcessHandle.current().pid()) {
        continue;
      }
      String cmd = ProcFs.cmdline(pid);
      if (cmd != null && forms.stream().anyMatch(cmd::contains) && ProcFs.isAlive(pid)) {
        found.add(pid + ": " + (cmd.length() > 200 ? cmd.substring(0, 200) + "..." : cmd));
      }
    }
    return found;
  }

  /** Returns the chromelambda-* dirs up to two levels below {@code tempRoot}. */
  static List<Path> profileDirsUnder(Path tempRoot) {
    if (!Files.isDirectory(tempRoot)) {
      return List.of();
    }
    try (Stream<Path> s = Files.find(tempRoot, 2,
        (p, a) -> a.isDirectory() && p.getFileName().toString().startsWith("chromelambda-"))) {
      return s.collect(Collectors.toList());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Fails unless no live process mentions {@code tempRoot} and no chromelambda-* dir is under it. */
  static void assertNoLeaks(Path tempRoot) {
    assertThat(liveProcessesMentioning(tempRoot)).as("live processes referencing %s", tempRoot).isEmpty();
    assertThat(profileDirsUnder(tempRoot)).as("chromelambda dirs under %s", tempRoot).isEmpty();
  }

  private static List<String> forms(Path tempRoot) {
    List<String> forms = new ArrayList<>();
    forms.add(tempRoot.toAbsolutePath().toString());
    try {
      forms.add(tempRoot.toRealPath().toString());
    } catch (IOException e) {
      // Gone already; the absolute form is enough.
    }
    return forms;
  }
}
