package io.github.browserpool.cdp;

import java.io.InputStream;
import java.util.Iterator;
import java.util.List;

/** Returns at most one scripted chunk per read, then end-of-file; so the cuts are where the test puts them. */
final class ChunkedInputStream extends InputStream {
  private final Iterator<byte[]> chunks;
  private byte[] current = new byte[0];
  private int position;

  ChunkedInputStream(List<byte[]> chunks) {
    this.chunks = chunks.iterator();
  }

  @Override
  public int read() {
    throw new UnsupportedOperationException("the connection must read in blocks");
  }

  @Override
  public int read(byte[] b, int off, int len) {
    if (position == current.length) {
      if (!chunks.hasNext()) {
        return -1;
      }
      current = chunks.next();
      position = 0;
    }
    int n = Math.min(len, current.length - position);
    System.arraycopy(current, position, b, off, n);
    position += n;
    return n;
  }
}
