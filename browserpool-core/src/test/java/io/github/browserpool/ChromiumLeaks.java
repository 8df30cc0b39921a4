package io.github.browserpool;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.browserpool.chrome.ProcFs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Asserts that nothing of a test's own tempRoot is left: no process naming it, no profile dir in it. */
public final class ChromiumLeaks {
  private ChromiumLeaks() {}

  public static void assertNothingLeftUnder(Path tempRoot) {
    assertThat(ProcFs.referencing(tempRoot.toString()))
        .as("processes whose command line names %s", tempRoot).isEmpty();
    try (Stream<Path> s = Files.list(tempRoot)) {
      assertThat(s.filter(p -> p.getFileName().toString().startsWith("chromelambda-")))
          .as("profile dirs under %s", tempRoot).isEmpty();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
