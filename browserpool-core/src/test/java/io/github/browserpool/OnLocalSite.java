package io.github.browserpool;

import java.io.IOException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** Real-Chromium tests whose pages come from a {@link LocalSite} on 127.0.0.1, one per test. */
abstract class OnLocalSite extends OnRealChromium {
  LocalSite site;

  @BeforeEach
  void serve() throws IOException {
    site = new LocalSite();
  }

  @AfterEach
  void stopServing() {
    site.close();
  }
}
