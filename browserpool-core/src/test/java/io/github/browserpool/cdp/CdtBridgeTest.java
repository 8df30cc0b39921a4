package io.github.browserpool.cdp;

import io.github.browserpool.CdpSessionClosedException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The id splice between cdt's messages and the wire. */
class CdtBridgeTest {
  private final ConnectionParts parts = new ConnectionParts();

  @Test
  void findsTheEndOfTheIdOnlyInCdtsOwnShape() {
    assertThat(CdtBridge.cdtIdEnd("{\"id\":12,\"method\":\"A.a\"}")).isEqualTo(8);
    assertThat(CdtBridge.cdtIdEnd("{\"id\":" + "9".repeat(18) + ",\"method\":\"A.a\"}")).isEqualTo(24);
    assertThat(CdtBridge.cdtIdEnd("{\"id\":" + "9".repeat(19) + ",\"method\":\"A.a\"}")).as("could overflow").isEqualTo(-1);
    assertThat(CdtBridge.cdtIdEnd("{\"id\":12}")).as("no comma after the id").isEqualTo(-1);
    assertThat(CdtBridge.cdtIdEnd("{\"id\":,\"method\":\"A.a\"}")).as("no digits").isEqualTo(-1);
    assertThat(CdtBridge.cdtIdEnd("{ \"id\":12,\"method\":\"A.a\"}")).as("another shape").isEqualTo(-1);
  }

  @Test
  void aCdtCallGoesOutUnderAWireIdAndItsReplyComesBackUnderCdtsIdAsActivity() {
    CdpSession session = parts.session("S1", "T1");
    List<String> toCdt = new CopyOnWriteArrayList<>();
    session.addMessageHandler(toCdt::add);

    parts.cdt.send(session, "{\"id\":5000000000,\"method\":\"Runtime.evaluate\",\"params\":{}}");
    assertThat(parts.sent()).containsExactly(
        "{\"id\":1,\"sessionId\":\"S1\",\"method\":\"Runtime.evaluate\",\"params\":{}}");
    parts.router.route("{\"id\":1,\"result\":{\"v\":[1,2]},\"sessionId\":\"S1\"}");

    assertThat(toCdt).containsExactly("{\"id\":5000000000,\"result\":{\"v\":[1,2]},\"sessionId\":\"S1\"}");
    assertThat(parts.activity).hasValue(2);
  }

  @Test
  void aCutOffCdtCallGetsAMadeUpErrorReplyWithCdtsIdThatIsNoActivity() {
    CdpSession session = parts.session("S1", "T1");
    List<String> toCdt = new CopyOnWriteArrayList<>();
    session.addMessageHandler(toCdt::add);
    parts.cdt.send(session, "{\"id\":7,\"method\":\"Page.enable\"}");

    parts.sessions.gone(session, "closed by the client", false);

    assertThat(toCdt).containsExactly("{\"id\":7,\"error\":{\"code\":" + CdpSessionClosedException.CODE
        + ",\"message\":\"[parts] CDP session S1 (target T1) is gone: closed by the client\"}}");
    assertThat(parts.activity).as("only the command itself").hasValue(1);
    assertThatThrownBy(() -> parts.cdt.send(session, "{\"id\":8,\"method\":\"Page.enable\"}"))
        .isExactlyInstanceOf(CdpSessionClosedException.class);
    assertThat(parts.sent()).hasSize(1);
  }

  @Test
  void aMessageWithoutANumericIdIsRefused() {
    CdpSession session = parts.session("S1", "T1");
    assertThatThrownBy(() -> parts.cdt.send(session, "{\"method\":\"Page.enable\"}"))
        .isExactlyInstanceOf(IllegalArgumentException.class).hasMessageContaining("has no numeric id");
    assertThatThrownBy(() -> parts.cdt.send(session, "{\"id\":"))
        .isExactlyInstanceOf(IllegalArgumentException.class).hasMessageContaining("is not JSON");
    assertThat(parts.sent()).isEmpty();
  }
}
