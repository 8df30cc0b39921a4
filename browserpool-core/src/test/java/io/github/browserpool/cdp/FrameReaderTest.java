package io.github.browserpool.cdp;

import static io.github.browserpool.cdp.FakeBrowser.frames;
import static io.github.browserpool.cdp.FakeBrowser.indexOf;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The NUL framing of what the browser writes, read from scripted chunks on the calling thread. */
class FrameReaderTest {
  private final List<String> messages = new ArrayList<>();

  @Test
  void aMessageCutAcrossReadsAndInsideACharacterComesOutWhole() {
    byte[] all = frames("{\"v\":\"\u00e9\uD83D\uDE80\"}", "{\"v\":2}", "{\"v\":3}");
    int accent = indexOf(all, (byte) 0xc3) + 1; // inside the two-byte character
    int rocket = indexOf(all, (byte) 0xf0) + 2; // inside the four-byte one
    int firstNul = indexOf(all, (byte) 0);
    String why = read(
        Arrays.copyOfRange(all, 0, accent),
        Arrays.copyOfRange(all, accent, rocket),
        Arrays.copyOfRange(all, rocket, firstNul), // up to, not including, the NUL
        Arrays.copyOfRange(all, firstNul, firstNul + 1), // the NUL alone
        Arrays.copyOfRange(all, firstNul + 1, all.length)); // two messages in one read

    assertThat(messages).containsExactly("{\"v\":\"\u00e9\uD83D\uDE80\"}", "{\"v\":2}", "{\"v\":3}");
    assertThat(why).isEqualTo("the browser closed its end of the pipe (end-of-file)");
  }

  @Test
  void anEmptyMessageBetweenTwoNulsIsHandedOnAsEmpty() {
    read(frames("{}", "", "{}"));
    assertThat(messages).containsExactly("{}", "", "{}");
  }

  @Test
  void aMessageLargerThanTheBufferGrowsItAndTheNextOneStillComesOut() {
    String big = "{\"v\":\"" + "x".repeat(5 * FrameReader.INITIAL_BUFFER) + "\"}";
    byte[] all = frames(big, "{\"after\":1}");
    List<byte[]> chunks = new ArrayList<>();
    for (int at = 0; at < all.length; at += 10_000) {
      chunks.add(Arrays.copyOfRange(all, at, Math.min(all.length, at + 10_000)));
    }
    read(chunks.toArray(byte[][]::new));
    assertThat(messages).containsExactly(big, "{\"after\":1}");
  }

  @Test
  void bytesAfterTheLastNulAreNotAMessage() {
    byte[] all = frames("{\"whole\":1}");
    byte[] withTail = Arrays.copyOf(all, all.length + 5);
    System.arraycopy("{\"cut".getBytes(StandardCharsets.UTF_8), 0, withTail, all.length, 5);
    assertThat(read(withTail)).contains("end-of-file");
    assertThat(messages).containsExactly("{\"whole\":1}");
  }

  @Test
  void aFailingReadEndsReadingWithItsReason() {
    MemoryPipe pipe = new MemoryPipe();
    pipe.closeReader(); // the next read throws, as a broken fd would
    String why = new FrameReader("[test] ", pipe.in).readAll(messages::add);
    assertThat(why).startsWith("reading from the pipe failed: ").contains("pipe closed by its reader");
    assertThat(messages).isEmpty();
  }

  @Test
  void aFailingHandlerEndsReadingWithItsReasonInsteadOfThrowing() {
    FrameReader reader = new FrameReader("[test] ", new ChunkedInputStream(List.of(frames("{}", "{}"))));
    String why = reader.readAll(text -> {
      throw new IllegalStateException("handler bug");
    });
    assertThat(why).isEqualTo("the reader thread failed: java.lang.IllegalStateException: handler bug");
  }

  private String read(byte[]... chunks) {
    return new FrameReader("[test] ", new ChunkedInputStream(List.of(chunks))).readAll(messages::add);
  }
}
