package io.github.browserpool.context;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which origin a target's URL counts for when a state is collected: http(s) only, as location.origin says it. */
class StateTransferTest {
  @ParameterizedTest
  @CsvSource(nullValues = "none", value = {
      "http://127.0.0.1:8080/login?x=1#y, http://127.0.0.1:8080",
      "https://example.com/, https://example.com",
      "https://example.com:443/a, https://example.com",
      "http://example.com:80, http://example.com",
      "http://localhost:443/, http://localhost:443",
      "https://user:pw@example.com:8443/p, https://example.com:8443",
      "about:blank, none",
      "file:///etc/passwd, none",
      "chrome://settings/, none",
      "'data:text/html,hi', none",
      "'http://[::1]:8080/x', 'http://[::1]:8080'",
      "blob:https://example.com/uuid, none",
      "'', none",
      "http://exa mple.com/, none",
  })
  void anOriginIsTheSchemeHostAndPortOfAnHttpUrl(String url, String origin) {
    assertThat(StateTransfer.originOf(url)).isEqualTo(origin);
  }
}
