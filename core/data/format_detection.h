#pragma once
// Dataset format detection: from the file type (.txt is plain text) and the fields of the first
// readable record (or the CSV/TSV header), after column mapping. Rules, first match wins:
//   messages -> chat (sharegpt when its items use from/value); conversations -> sharegpt (chat when
//   its items use role/content); instruction + output -> alpaca; prompt + completion ->
//   prompt-completion; question + answer + (choices or columns A, B) -> multiple-choice;
//   text + label -> classification; text -> text.
#include "data/dataset_options.h"
#include "data/record_reader.h"

#include <string>

namespace capsule::data {

struct FormatDetection {
    DatasetFormat format = DatasetFormat::Text;
    std::string reason;  // for the summary: why this format ("set in the options", "first record ...")
};

/// Detects the format of a read file whose JSON records are already parsed. Honours
/// options.format (reason "set in the options"). Throws std::runtime_error naming the file and
/// the fields it saw when nothing matches, or when the override cannot apply to the file type.
FormatDetection detectFormat(const RecordFile& file, const DatasetOptions& options);

}  // namespace capsule::data
