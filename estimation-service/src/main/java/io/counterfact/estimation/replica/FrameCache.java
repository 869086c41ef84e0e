package io.counterfact.estimation.replica;

import io.counterfact.engine.data.DataFrame;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Recently loaded versions, bounded by bytes: the least recently used go first. A frame larger than the whole bound
 * is not kept. Versions are immutable, so an entry never goes stale.
 */
final class FrameCache {

    record Key(String datasetId, int version) {
    }

    private record Entry(DataFrame frame, long bytes) {
    }

    private final long maxBytes;
    private final LinkedHashMap<Key, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
    private long bytes;

    FrameCache(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    synchronized DataFrame get(Key key) {
        Entry e = entries.get(key);
        return e == null ? null : e.frame();
    }

    synchronized void put(Key key, DataFrame frame, long size) {
        if (size > maxBytes) {
            return;
        }
        Entry previous = entries.put(key, new Entry(frame, size));
        if (previous != null) {
            bytes -= previous.bytes();
        }
        bytes += size;
        Iterator<Map.Entry<Key, Entry>> eldest = entries.entrySet().iterator();
        while (bytes > maxBytes && eldest.hasNext()) {
            Map.Entry<Key, Entry> e = eldest.next();
            if (e.getKey().equals(key)) {
                continue;
            }
            bytes -= e.getValue().bytes();
            eldest.remove();
        }
    }

    synchronized void remove(Key key) {
        Entry e = entries.remove(key);
        if (e != null) {
            bytes -= e.bytes();
        }
    }

    synchronized long bytes() {
        return bytes;
    }

    synchronized int size() {
        return entries.size();
    }
}
