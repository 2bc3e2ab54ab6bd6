"""A reader of the agent's upload format CWB2 (docs/protocol.md), for the stand-in collector and
the benchmarks. Raises ValueError on any malformed body."""
import struct


class Reader:
    def __init__(self, body):
        self.body, self.i = body, 0

    def take(self, n):
        if self.i + n > len(self.body):
            raise ValueError("truncated at byte %d" % self.i)
        out = self.body[self.i:self.i + n]
        self.i += n
        return out

    def varint(self):
        result, shift = 0, 0
        while True:
            b = self.take(1)[0]
            result |= (b & 0x7F) << shift
            if not b & 0x80:
                return result
            shift += 7
            if shift > 63:
                raise ValueError("varint too long at byte %d" % self.i)

    def zigzag(self):
        n = self.varint()
        return (n >> 1) ^ -(n & 1)

    def string(self):
        return self.take(self.varint()).decode("utf-8", "replace")


def decode(body):
    """Returns a dict: catalog, definitions {id: (metric, labels)}, series [(id, [(ts, value, count)])], events."""
    r = Reader(body)
    if r.take(4) != b"CWB2":
        raise ValueError("not a CWB2 batch")
    batch = {"id": r.take(16).hex(), "agent_time": r.zigzag(), "clock": r.varint(), "synced_since": r.zigzag(),
             "path": r.string(), "site": r.string(), "catalog": struct.unpack("<Q", r.take(8))[0]}
    strings = [r.string() for _ in range(r.varint())]

    def labels():
        return {strings[r.varint()]: strings[r.varint()] for _ in range(r.varint())}

    definitions = {}
    for _ in range(r.varint()):
        sid = r.zigzag()
        metric = strings[r.varint()]
        definitions[sid] = (metric, labels())
    series, previous_id, previous_start = [], 0, batch["agent_time"]
    for _ in range(r.varint()):
        sid = previous_id + 1 + r.zigzag()
        previous_id = sid
        n = r.varint()
        timestamps, ts, delta = [], 0, 0
        for k in range(n):
            if k == 0:
                ts = previous_start + r.zigzag()
            else:
                delta += r.zigzag()
                ts += delta
            timestamps.append(ts)
        if n:
            previous_start = timestamps[0]
        mode = r.varint()
        values = []
        if mode <= 9:
            v = 0
            for _ in range(n):
                v += r.zigzag()
                values.append(v / 10 ** mode)
        elif mode == 255:
            bits = 0
            for _ in range(n):
                bits ^= struct.unpack("<Q", r.take(8))[0]
                values.append(struct.unpack("<d", struct.pack("<Q", bits))[0])
        else:
            raise ValueError("unknown value encoding %d" % mode)
        counts = [1] * n
        if r.varint() == 1:
            for k in range(n):
                c = r.varint()
                if c:
                    counts[k] = c
                    r.take(16)
        series.append((sid, list(zip(timestamps, values, counts))))
    events = []
    for _ in range(r.varint()):
        ts, kind = r.zigzag(), strings[r.varint()]
        event_labels, text = labels(), r.string()
        document = r.string() if r.varint() == 1 else None
        events.append({"ts": ts, "kind": kind, "labels": event_labels, "text": text, "document": document})
    if r.i != len(body):
        raise ValueError("trailing bytes at %d" % r.i)
    batch.update(definitions=definitions, series=series, events=events)
    return batch
