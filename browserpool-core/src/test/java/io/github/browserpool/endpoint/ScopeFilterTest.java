package io.github.browserpool.endpoint;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.browserpool.endpoint.ScopeFilter.Action;
import org.junit.jupiter.api.Test;

/** The endpoint's confinement rules, without a browser. */
class ScopeFilterTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final ScopeFilter isolated = new ScopeFilter("CTX", true, null);
  private final ScopeFilter keyed = new ScopeFilter("DEFAULT", false, "KEEPER");

  private static ObjectNode params() {
    return JSON.createObjectNode();
  }

  @Test
  void browserWideAndContextChangingCommandsAreRefused() {
    for (String method : new String[] {"Browser.close", "Browser.crash", "Target.createBrowserContext",
        "Target.disposeBrowserContext", "Tracing.start"}) {
      assertThat(isolated.command(method, params(), true).action()).as(method).isEqualTo(Action.REFUSE);
      assertThat(isolated.command(method, params(), false).action()).as(method + " on a page").isEqualTo(Action.REFUSE);
    }
    assertThat(isolated.command("Target.getBrowserContexts", params(), true).answer().toString())
        .isEqualTo("{\"browserContextIds\":[]}");
  }

  @Test
  void commandsNamingNoContextGetTheLeasesAndOtherContextsAreRefused() {
    ObjectNode create = params().put("url", "about:blank");
    assertThat(isolated.command("Target.createTarget", create, true).action()).isEqualTo(Action.CREATE_TARGET);
    assertThat(create.get("browserContextId").asText()).isEqualTo("CTX");
    ObjectNode cookies = params();
    isolated.command("Storage.getCookies", cookies, true);
    assertThat(cookies.get("browserContextId").asText()).isEqualTo("CTX");
    ObjectNode downloads = params().put("behavior", "allow");
    isolated.command("Browser.setDownloadBehavior", downloads, true);
    assertThat(downloads.get("browserContextId").asText()).isEqualTo("CTX");

    assertThat(isolated.command("Storage.getCookies", params().put("browserContextId", "OTHER"), true).action())
        .isEqualTo(Action.REFUSE);
    assertThat(isolated.command("Target.createTarget", params().put("browserContextId", "OTHER"), false).action())
        .isEqualTo(Action.REFUSE);
    ObjectNode keyedCreate = params().put("url", "about:blank");
    keyed.command("Target.createTarget", keyedCreate, true);
    assertThat(keyedCreate.has("browserContextId")).as("the default context is the default").isFalse();
  }

  @Test
  void targetsAreCheckedAndFiltered() {
    assertThat(isolated.command("Target.attachToTarget", params().put("targetId", "T"), true))
        .extracting(ScopeFilter.Verdict::action, ScopeFilter.Verdict::detail).containsExactly(Action.CHECK_TARGET, "T");
    assertThat(isolated.command("Target.closeTarget", params().put("targetId", "T"), false).action())
        .isEqualTo(Action.CHECK_TARGET);
    assertThat(keyed.command("Target.closeTarget", params().put("targetId", "KEEPER"), true).action())
        .isEqualTo(Action.REFUSE);
    assertThat(isolated.command("Target.detachFromTarget", params().put("sessionId", "S"), true).action())
        .isEqualTo(Action.CHECK_SESSION);
    assertThat(isolated.command("Runtime.evaluate", params(), false).action()).isEqualTo(Action.FORWARD);

    ObjectNode result = params();
    result.putArray("targetInfos")
        .add(params().put("targetId", "A").put("browserContextId", "CTX"))
        .add(params().put("targetId", "B").put("browserContextId", "OTHER"))
        .add(params().put("targetId", "C").put("type", "browser"));
    assertThat(isolated.filterTargets(result).get("targetInfos").findValuesAsText("targetId")).containsExactly("A");
    ObjectNode keeper = params();
    keeper.putArray("targetInfos")
        .add(params().put("targetId", "KEEPER").put("browserContextId", "DEFAULT"))
        .add(params().put("targetId", "P").put("browserContextId", "DEFAULT"));
    assertThat(keyed.filterTargets(keeper).get("targetInfos").findValuesAsText("targetId")).containsExactly("P");
  }

  @Test
  void tokensAreLongUniqueAndDeadOnceRemoved() {
    LeaseTokens<String> tokens = new LeaseTokens<>();
    String[] issued = new String[2];
    String first = tokens.issue(t -> {
      issued[0] = t;
      return "lease-1";
    });
    tokens.issue(t -> {
      issued[1] = t;
      return "lease-2";
    });
    assertThat(first).isEqualTo("lease-1");
    assertThat(issued[0]).hasSize(27).isNotEqualTo(issued[1]);
    assertThat(tokens.find(issued[0])).isEqualTo("lease-1");
    assertThat(tokens.find(issued[0].substring(1))).isNull();
    assertThat(tokens.find(issued[0] + "x")).isNull();
    assertThat(tokens.find("")).isNull();
    assertThat(tokens.find(null)).isNull();
    tokens.remove(issued[0]);
    assertThat(tokens.find(issued[0])).isNull();
    assertThat(tokens.find(issued[1])).isEqualTo("lease-2");
  }
}
