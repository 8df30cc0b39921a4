package io.github.browserpool.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The modules built on core (benchmarks, examples, JUnit 5, Micrometer, test support) use only its public
 * API, {@code io.github.browserpool}, or core's published test fixtures (the test-jar): the same rule
 * that module-info.java enforces for users on the module path, checked here for our own code, which
 * is compiled on the class path.
 */
class PublicApiOnlyTest {
  private static final Pattern INTERNAL =
      Pattern.compile("^import\\s+(static\\s+)?io\\.github\\.browserpool\\.(pool|cdp|chrome|endpoint|grid)\\.");
  private static final List<String> DIRS = List.of("browserpool-benchmarks/src/main", "browserpool-examples/src",
      "browserpool-junit5/src", "browserpool-micrometer/src", "browserpool-test/src");

  @Test
  void noModuleBuiltOnCoreImportsItsInternals() throws IOException {
    Path root = repoRoot();
    List<String> offenders;
    try (Stream<Path> files = DIRS.stream().map(root::resolve).filter(Files::isDirectory).flatMap(PublicApiOnlyTest::walk)) {
      offenders = files.filter(p -> p.toString().endsWith(".java"))
          .flatMap(p -> lines(p).stream().filter(l -> INTERNAL.matcher(l.trim()).find())
              .map(l -> root.relativize(p) + ": " + l.trim()))
          .collect(Collectors.toList());
    }
    assertThat(offenders).as("imports of core internals (use the public API or core's test fixtures)").isEmpty();
    assertThat(root.resolve("browserpool-benchmarks/src/main")).isDirectory(); // the scan saw real code
  }

  private static Path repoRoot() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.isDirectory(p.resolve("browserpool-core"))) {
      p = p.getParent();
    }
    assertThat(p).as("the repository root above " + Path.of("").toAbsolutePath()).isNotNull();
    return p;
  }

  private static Stream<Path> walk(Path dir) {
    try {
      return Files.walk(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<String> lines(Path p) {
    try {
      return Files.readAllLines(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
