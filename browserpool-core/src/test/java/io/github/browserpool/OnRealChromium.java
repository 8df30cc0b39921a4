package io.github.browserpool;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the pool tests against real Chromium share: each test's own tempRoot, the config every pool in
 * it starts from, and the proof after each test that nothing is left under that tempRoot.
 */
@Tag("chromium")
abstract class OnRealChromium {
  @TempDir Path tempRoot;

  @AfterEach
  void nothingLeft() {
    ChromiumLeaks.assertNothingLeftUnder(tempRoot);
  }

  /** A pool named {@code name} whose browsers live under this test's tempRoot. */
  PoolConfig.Builder config(String name) {
    return PoolConfig.builder().maxContextsPerBrowser(1).poolName(name).tempRoot(tempRoot);
  }
}
