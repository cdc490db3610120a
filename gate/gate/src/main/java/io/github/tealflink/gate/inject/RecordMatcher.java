package io.github.tealflink.gate.inject;

import io.github.tealflink.gate.extract.EventTimeExtractor;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * Decides where, walking up from a sink, the records the configured extractor can read still flow (the SQL
 * filesystem sink, for one, writes through a writer and a committer whose outputs are not rows), and builds the
 * extractor for that stream's type.
 */
interface RecordMatcher {
    /** Whether records of {@code type} carry the configured event time. */
    boolean accepts(TypeInformation<?> type);

    /** The extractor for records of {@code type} (which {@link #accepts}). */
    EventTimeExtractor extractorFor(TypeInformation<?> type);

    /** The configuration that chose this matcher, for errors. */
    String describe();
}
