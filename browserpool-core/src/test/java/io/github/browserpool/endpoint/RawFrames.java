package io.github.browserpool.endpoint;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Writes WebSocket frames by hand (RFC 6455 framing, client side, masked), to send a message larger than
 * any sane client would, as one frame or as many fragments, and read back the close code.
 */
public final class RawFrames {
  private RawFrames() {}

  /**
   * Opens {@code uri}, sends one text message of {@code totalBytes} in frames of {@code frameBytes}, and
   * returns the close code the server answered with (-1 if the connection closed without one).
   */
  public static int sendOversized(URI uri, long totalBytes, int frameBytes) throws IOException {
    try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
      socket.setSoTimeout(20_000);
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      upgrade(uri, in, out);
      byte[] chunk = new byte[1 << 16];
      java.util.Arrays.fill(chunk, (byte) 'x'); // mask key 0: payload goes as is
      long sent = 0;
      boolean first = true;
      try {
        while (sent < totalBytes) {
          long size = Math.min(frameBytes, totalBytes - sent);
          boolean fin = sent + size >= totalBytes;
          out.write(header(first ? 0x1 : 0x0, fin, size));
          first = false;
          for (long done = 0; done < size; ) {
            int n = (int) Math.min(chunk.length, size - done);
            out.write(chunk, 0, n);
            done += n;
          }
          sent += size;
        }
        out.flush();
      } catch (IOException e) {
        // the server closed while we were still sending: expected; read its close frame
      }
      return readCloseCode(in);
    }
  }

  /** Sends the WebSocket upgrade request for {@code uri} and reads the answer; throws unless it is 101. */
  static void upgrade(URI uri, InputStream in, OutputStream out) throws IOException {
    String key = Base64.getEncoder().encodeToString("browserpool-test!".substring(0, 16).getBytes(StandardCharsets.US_ASCII));
    out.write(("GET " + uri.getRawPath() + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort()
        + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + key
        + "\r\nSec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    out.flush();
    String head = readHead(in);
    if (!head.startsWith("HTTP/1.1 101")) {
      throw new IOException("no upgrade: " + head);
    }
  }

  /** Writes one whole text message as one masked frame. */
  static void writeText(OutputStream out, String text) throws IOException {
    byte[] payload = text.getBytes(StandardCharsets.UTF_8);
    out.write(header(0x1, true, payload.length));
    out.write(payload); // mask key 0: the payload goes as it is
    out.flush();
  }

  /** One frame from the server (unmasked): its opcode and payload. */
  record Frame(int opcode, byte[] payload) {
    /** The close code of a close frame, or -1. */
    int closeCode() {
      return opcode == 0x8 && payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : -1;
    }
  }

  static Frame readFrame(DataInputStream in) throws IOException {
    int b0 = in.readUnsignedByte();
    int b1 = in.readUnsignedByte();
    long len = b1 & 0x7f;
    if (len == 126) {
      len = in.readUnsignedShort();
    } else if (len == 127) {
      len = in.readLong();
    }
    byte[] payload = new byte[(int) len];
    in.readFully(payload);
    return new Frame(b0 & 0x0f, payload);
  }

  /** Reads frames up to a close frame: its code, or -1 when the connection ends (or fails) without one. */
  static int readCloseCode(DataInputStream in) {
    try {
      while (true) {
        Frame frame = readFrame(in);
        if (frame.opcode() == 0x8) {
          return frame.closeCode();
        }
      }
    } catch (IOException e) {
      return -1;
    }
  }

  private static byte[] header(int opcode, boolean fin, long length) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.write((fin ? 0x80 : 0) | opcode);
    if (length < 126) {
      b.write(0x80 | (int) length);
    } else if (length < 65536) {
      b.write(0x80 | 126);
      b.write((int) (length >>> 8));
      b.write((int) length);
    } else {
      b.write(0x80 | 127);
      for (int i = 7; i >= 0; i--) {
        b.write((int) (length >>> (8 * i)));
      }
    }
    b.write(new byte[4], 0, 4); // mask key 0
    return b.toByteArray();
  }

  private static String readHead(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int c = in.read();
      if (c < 0) {
        break;
      }
      head.append((char) c);
    }
    return head.toString();
  }

  private static int readCloseCode(InputStream raw) {
    return readCloseCode(new DataInputStream(raw));
  }

}
