// SafetensorsFile / parseSafetensorsHeader against files built byte by byte from the format
// description, hostile files breaking each validation rule, misaligned data, and a mini-fuzzer.
#include "capsule_test.h"
#include "safetensors_test_files.h"

#include "io/safetensors.h"
#include "io/safetensors_writer.h"

#include <torch/torch.h>

#include <fstream>
#include <random>

#include <sys/mman.h>
#include <unistd.h>

using namespace capsule::io;
using capsule::test::float32Bytes;
using capsule::test::float64Bytes;
using capsule::test::littleEndianBytes;
using capsule::test::safetensorsBytes;
using capsule::test::safetensorsBytesWithLength;

namespace {

std::shared_ptr<SafetensorsFile> openBytes(const capsule::test::TempDir& folder, const std::string& name,
                                           const std::string& bytes) {
    const std::string path = folder.file(name);
    capsule::test::writeFile(path, bytes);
    return SafetensorsFile::open(path);
}

// A valid header+data pair used as the base for hostile variations.
const std::string kValidHeader =
    R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"I8","shape":[3],"data_offsets":[8,11]}})";
const std::string kValidData = float32Bytes(1.0f) + float32Bytes(2.0f) + std::string("\x01\x02\x03", 3);

// Opens a hostile file and checks that the error names the file and contains `problem`.
void expectRejected(const std::string& bytes, const std::string& problem) {
    capsule::test::TempDir folder;
    const std::string path = folder.file("hostile.safetensors");
    capsule::test::writeFile(path, bytes);
    VERIFY_THROWS(SafetensorsFile::open(path), problem);
    VERIFY_THROWS(SafetensorsFile::open(path), path + ": ");
    // The header-only reader (model discovery) must agree.
    VERIFY_THROWS(readSafetensorsHeader(path), problem);
}

}  // namespace

// A file written by hand exactly as the format describes, with keys out of offset order,
// metadata, leading/trailing whitespace, a rank-0 and an empty tensor, and bf16/f16 bit patterns.
CAPSULE_TEST(readsHandBuiltFileFromSpec) {
    capsule::test::TempDir folder;
    const std::string header =
        "  \n{\"scalar\":{\"dtype\":\"F64\",\"shape\":[],\"data_offsets\":[16,24]},"
        "\"__metadata__\":{\"format\":\"pt\",\"note\":\"hand made\"},"
        "\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]},"
        "\"empty\":{\"dtype\":\"F32\",\"shape\":[0,4],\"data_offsets\":[24,24]},"
        "\"bf\":{\"dtype\":\"BF16\",\"shape\":[3],\"data_offsets\":[24,30]},"
        "\"half\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[30,34]},"
        "\"ids\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[34,42]}}\t  ";
    std::string data = float32Bytes(1.0f) + float32Bytes(-2.5f) + float32Bytes(3.25f) + float32Bytes(1e-3f);
    data += float64Bytes(6.02214076e23);
    // bf16 bit patterns: 1.5 = 0x3FC0, -2.25 = 0xC010, 65280 = 0x477F
    data += littleEndianBytes(0x3FC0, 2) + littleEndianBytes(0xC010, 2) + littleEndianBytes(0x477F, 2);
    // f16 bit patterns: 1.5 = 0x3E00, -0.0001220703125 (2^-13) = 0x8800
    data += littleEndianBytes(0x3E00, 2) + littleEndianBytes(0x8800, 2);
    data += littleEndianBytes(static_cast<uint64_t>(-3), 8);
    const auto file = openBytes(folder, "spec.safetensors", safetensorsBytes(header, data));

    COMPARE(file->names(), (std::vector<std::string>{"w", "scalar", "empty", "bf", "half", "ids"}));
    COMPARE(file->metadata().at("note"), std::string("hand made"));
    COMPARE(file->metadata().size(), size_t(2));
    const TensorInfo& w = file->info("w");
    COMPARE(w.dtype, std::string("F32"));
    COMPARE(w.shape, (std::vector<int64_t>{2, 2}));
    COMPARE(w.fileOffsetBytes, uint64_t(8 + header.size()));
    COMPARE(w.sizeBytes(), uint64_t(16));

    const auto weights = file->tensor("w");
    COMPARE(weights.scalar_type(), torch::kFloat);
    COMPARE(weights.sizes().vec(), (std::vector<int64_t>{2, 2}));
    COMPARE(weights[0][1].item<float>(), -2.5f);
    COMPARE(weights[1][1].item<float>(), 1e-3f);
    const auto scalar = file->tensor("scalar");
    COMPARE(scalar.dim(), int64_t(0));
    COMPARE(scalar.item<double>(), 6.02214076e23);
    const auto empty = file->tensor("empty");
    COMPARE(empty.sizes().vec(), (std::vector<int64_t>{0, 4}));
    COMPARE(empty.numel(), int64_t(0));
    const auto bf = file->tensor("bf");
    COMPARE(bf.scalar_type(), torch::kBFloat16);
    const auto bfFloat = bf.to(torch::kFloat);
    COMPARE(bfFloat[0].item<float>(), 1.5f);
    COMPARE(bfFloat[1].item<float>(), -2.25f);
    COMPARE(bfFloat[2].item<float>(), 65280.0f);
    const auto half = file->tensor("half").to(torch::kFloat);
    COMPARE(half[0].item<float>(), 1.5f);
    COMPARE(half[1].item<float>(), -0.0001220703125f);
    COMPARE(file->tensor("ids")[0].item<int64_t>(), int64_t(-3));
    VERIFY_THROWS(file->tensor("missing"), "no tensor named 'missing'");
}

CAPSULE_TEST(alignedTensorIsZeroCopyAndKeepsMappingAlive) {
    capsule::test::TempDir folder;
    // N = 64 (8-aligned), so the F32 data starts at file offset 72.
    std::string header = R"({"x":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})";
    header.append(64 - header.size(), ' ');
    auto file = openBytes(folder, "aligned.safetensors",
                          safetensorsBytes(header, float32Bytes(1) + float32Bytes(2) + float32Bytes(3) + float32Bytes(4)));
    auto view = file->tensor("x");
    VERIFY(view.data_ptr() == static_cast<const void*>(file->mappedBytes() + 72));
    const std::weak_ptr<SafetensorsFile> weak = file;
    file.reset();
    VERIFY(!weak.expired());  // the view's deleter holds the mapping
    COMPARE(view.sum().item<float>(), 10.0f);
    view = torch::Tensor();
    VERIFY(weak.expired());
}

namespace {

/// This process's resident set in MiB (/proc/self/statm; mincore would count the page cache).
double residentMiB() {
    std::ifstream statm("/proc/self/statm");
    long long pages = 0, resident = 0;
    statm >> pages >> resident;
    return static_cast<double>(resident) * static_cast<double>(::sysconf(_SC_PAGESIZE)) / 1048576.0;
}

}  // namespace

CAPSULE_TEST(releasedPagesLeaveTheResidentSetAndReadBackIntact) {
    capsule::test::TempDir folder;
    const torch::Tensor big = torch::arange(4 << 20, torch::kFloat);    // [4M], 16 MiB
    const torch::Tensor small = torch::arange(10, torch::kFloat) * 3;  // [10], shares a page with big's end
    capsule::io::writeSafetensors(folder.file("two.safetensors"), {{"big", big}, {"small", small}});
    auto file = SafetensorsFile::open(folder.file("two.safetensors"));
    const torch::Tensor view = file->tensor("big");
    const double before = residentMiB();
    COMPARE(view.sum().item<double>(), big.sum().item<double>());  // touches every page
    const double touched = residentMiB();
    file->releasePages("big");
    const double released = residentMiB();
    std::printf("    RSS %.1f MiB, %.1f after reading 'big' (16 MiB), %.1f after releasing it\n", before, touched, released);
    VERIFY(touched - before > 15.0);
    VERIFY(touched - released > 15.0);
    // Still readable, through the old view and a new one; the neighbour is untouched.
    VERIFY(torch::equal(view, big));
    VERIFY(torch::equal(file->tensor("big"), big));
    VERIFY(torch::equal(file->tensor("small"), small));
    file->releasePages("small");  // smaller than a page: nothing to drop, nothing breaks
    VERIFY(torch::equal(file->tensor("small"), small));
    VERIFY_THROWS(file->releasePages("missing"), "no tensor named 'missing'");
}

CAPSULE_TEST(misalignedDataIsCopied) {
    capsule::test::TempDir folder;
    // N = 61: data starts at file offset 69, odd, so F32/F64/I16 cannot be aliased.
    std::string header =
        R"({"f":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"d":{"dtype":"F64","shape":[1],"data_offsets":[8,16]},"s":{"dtype":"I16","shape":[1],"data_offsets":[16,18]},"u":{"dtype":"U8","shape":[1],"data_offsets":[18,19]}})";
    while ((8 + header.size()) % 2 == 0) header += ' ';
    const std::string data = float32Bytes(0.5f) + float32Bytes(-7.0f) + float64Bytes(1.0 / 3.0) +
                             littleEndianBytes(static_cast<uint16_t>(-1234), 2) + std::string("\xff", 1);
    const auto file = openBytes(folder, "misaligned.safetensors", safetensorsBytes(header, data));
    const auto f = file->tensor("f");
    VERIFY(reinterpret_cast<std::uintptr_t>(f.data_ptr()) % 4 == 0);
    VERIFY(f.data_ptr() != static_cast<const void*>(file->mappedBytes() + file->info("f").fileOffsetBytes));
    COMPARE(f[0].item<float>(), 0.5f);
    COMPARE(f[1].item<float>(), -7.0f);
    COMPARE(file->tensor("d").item<double>(), 1.0 / 3.0);
    COMPARE(file->tensor("s").item<int16_t>(), int16_t(-1234));
    // 1-byte dtypes are always aligned: aliased.
    const auto u = file->tensor("u");
    VERIFY(u.data_ptr() == static_cast<const void*>(file->mappedBytes() + file->info("u").fileOffsetBytes));
    COMPARE(u.item<uint8_t>(), uint8_t(255));
}

CAPSULE_TEST(unsupportedDtypeFailsOnlyWhenRequested) {
    capsule::test::TempDir folder;
    const std::string header =
        R"({"f8":{"dtype":"F8_E4M3","shape":[2],"data_offsets":[0,2]},"u16":{"dtype":"U16","shape":[1],"data_offsets":[2,4]},"ok":{"dtype":"U8","shape":[1],"data_offsets":[4,5]}})";
    const auto file = openBytes(folder, "fp8.safetensors", safetensorsBytes(header, std::string("\x38\x40\x01\x00\x07", 5)));
    COMPARE(file->names().size(), size_t(3));
    COMPARE(file->info("f8").dtype, std::string("F8_E4M3"));
    COMPARE(file->tensor("ok").item<uint8_t>(), uint8_t(7));
    VERIFY_THROWS(file->tensor("f8"), "unsupported dtype F8_E4M3 for tensor 'f8'");
    VERIFY_THROWS(file->tensor("f8"), "fp8.safetensors");
    VERIFY_THROWS(file->tensor("u16"), "unsupported dtype U16 for tensor 'u16'");
}

CAPSULE_TEST(subByteDtypesParseWithBitSizes) {
    capsule::test::TempDir folder;
    // F4: 4 elements = 2 bytes; F6_E2M3: 4 elements = 24 bits = 3 bytes.
    const std::string header =
        R"({"q":{"dtype":"F4","shape":[4],"data_offsets":[0,2]},"r":{"dtype":"F6_E2M3","shape":[4],"data_offsets":[2,5]}})";
    const auto file = openBytes(folder, "fp4.safetensors", safetensorsBytes(header, std::string(5, '\0')));
    COMPARE(file->info("r").elementCount, int64_t(4));
    VERIFY_THROWS(file->tensor("q"), "unsupported dtype F4");
    // 3 F4 elements are 12 bits: not whole bytes.
    expectRejected(safetensorsBytes(R"({"q":{"dtype":"F4","shape":[3],"data_offsets":[0,2]}})", std::string(2, '\0')),
                   "do not fill whole bytes");
}

CAPSULE_TEST(nonBinaryBoolBytesAreNormalised) {
    capsule::test::TempDir folder;
    const auto file = openBytes(folder, "bool.safetensors",
                                safetensorsBytes(R"({"m":{"dtype":"BOOL","shape":[3],"data_offsets":[0,3]}})",
                                                 std::string("\x00\x01\x07", 3)));
    const auto mask = file->tensor("m");
    COMPARE(mask.scalar_type(), torch::kBool);
    COMPARE(mask.to(torch::kLong).sum().item<int64_t>(), int64_t(2));
}

CAPSULE_TEST(emptyHeaderObjectIsValid) {
    capsule::test::TempDir folder;
    const auto file = openBytes(folder, "empty.safetensors", safetensorsBytes("{}      ", ""));
    COMPARE(file->names().size(), size_t(0));
}

// ---- each rule of the reference reader, violated once --------------------------------------

CAPSULE_TEST(rejectsTruncatedFiles) {
    expectRejected("", "header too small");
    expectRejected(std::string("\x10\x00\x00", 3), "header too small");
    const std::string valid = safetensorsBytes(kValidHeader, kValidData);
    expectRejected(valid.substr(0, valid.size() - 1), "past the end of the file");
    expectRejected(valid.substr(0, 8 + kValidHeader.size() / 2), "invalid header length");
}

CAPSULE_TEST(rejectsHeaderLengthTooLarge) {
    expectRejected(safetensorsBytesWithLength(100'000'001, kValidHeader, kValidData), "header too large");
    expectRejected(safetensorsBytesWithLength(~uint64_t(0), kValidHeader, kValidData), "header too large");
}

CAPSULE_TEST(rejectsHeaderLengthBeyondFile) {
    expectRejected(safetensorsBytesWithLength(kValidHeader.size() + kValidData.size() + 1, kValidHeader, kValidData),
                   "invalid header length");
}

CAPSULE_TEST(rejectsBadJson) {
    expectRejected(safetensorsBytes(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]})", float32Bytes(1) + float32Bytes(2)),
                   "invalid JSON");
    expectRejected(safetensorsBytes(R"({"a":1,})", ""), "invalid JSON");
    expectRejected(safetensorsBytes(std::string("{}\0\0\0\0\0\0", 8), ""), "invalid JSON");  // NUL padding
    expectRejected(safetensorsBytes("\xEF\xBB\xBF{}", ""), "byte order mark");
    expectRejected(safetensorsBytes(std::string(200, '[') + std::string(200, ']'), ""), "nesting deeper");
    // serde_json's limit exactly: 127 nested containers parse (then fail as a non-object), 128 do not.
    expectRejected(safetensorsBytes(std::string(127, '[') + std::string(127, ']'), ""), "got array");
    expectRejected(safetensorsBytes(std::string(128, '[') + std::string(128, ']'), ""), "nesting deeper than 127");
}

CAPSULE_TEST(rejectsInvalidUtf8) {
    expectRejected(safetensorsBytes("{\"a\xff\":{}}", ""), "not valid UTF-8");
    expectRejected(safetensorsBytes("{\"\xC0\xAF\":{}}", ""), "not valid UTF-8");      // overlong '/'
    expectRejected(safetensorsBytes("{\"\xED\xA0\x80\":{}}", ""), "not valid UTF-8");  // surrogate
    expectRejected(safetensorsBytes("{}  \xE2\x82", ""), "not valid UTF-8");           // cut in padding
}

CAPSULE_TEST(rejectsNonObjectHeader) {
    expectRejected(safetensorsBytes("[]", ""), "header must be a JSON object, got array");
    expectRejected(safetensorsBytes("\"x\"", ""), "header must be a JSON object, got string");
    expectRejected(safetensorsBytes(R"({"a":[1,2]})", ""), "tensor 'a': entry must be an object");
}

CAPSULE_TEST(rejectsBadDtype) {
    expectRejected(safetensorsBytes(R"({"a":{"dtype":"F31","shape":[2],"data_offsets":[0,8]}})", std::string(8, '\0')),
                   "tensor 'a': unknown dtype \"F31\"");
    expectRejected(safetensorsBytes(R"({"a":{"dtype":"f32","shape":[2],"data_offsets":[0,8]}})", std::string(8, '\0')),
                   "unknown dtype");
    expectRejected(safetensorsBytes(R"({"a":{"dtype":32,"shape":[2],"data_offsets":[0,8]}})", std::string(8, '\0')),
                   "\"dtype\" must be a string");
    expectRejected(safetensorsBytes(R"({"a":{"shape":[2],"data_offsets":[0,8]}})", std::string(8, '\0')),
                   "missing \"dtype\"");
}

CAPSULE_TEST(rejectsWrongShapeType) {
    const std::string data(8, '\0');
    expectRejected(safetensorsBytes(R"({"a":{"dtype":"F32","shape":"2","data_offsets":[0,8]}})", data), "\"shape\" must be an array");
    expectRejected(safetensorsBytes(R"({"a":{"dtype":"F32","shape":[2.0],"data_offsets":[0,8]}})", data), "\"shape\" must hold non-negative integers");
    expectRejected(safetensorsBytes(R"({"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})", data), "\"shape\" must hold non-negative integers");
    expectRejected(safetensorsBytes(R"({"a":{"dtype":"F32","shape":[[2]],"data_offsets":[0,8]}})", data), "\"shape\" must hold");
    // serde_json reads "-0" and "2e0" as floats, which are not usize.
    expectRejected(safetensorsBytes(R"({"a":{"dtype":"F32","shape":[-0,2],"data_offsets":[0,8]}})", data), "\"shape\" must hold");
    expectRejected(safetensorsBytes(R"({"a":{"dtype":"F32","shape":[2e0],"data_offsets":[0,8]}})", data), "\"shape\" must hold");
    expectRejected(safetensorsBytes(R"({"a":{"dtype":"F32","data_offsets":[0,8]}})", data), "missing \"shape\"");
    // Wrong size for the shape (3 floats need 12 bytes).
    expectRejected(safetensorsBytes(R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", data), "need 12");
}

CAPSULE_TEST(rejectsNegativeAndHugeOffsets) {
    const std::string data(8, '\0');
    expectRejected(safetensorsBytes(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[-8,0]}})", data), "\"data_offsets\" must be [BEGIN, END]");
    expectRejected(safetensorsBytes(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0]}})", data), "\"data_offsets\" must be [BEGIN, END]");
    expectRejected(safetensorsBytes(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8,16]}})", data), "\"data_offsets\"");
    expectRejected(safetensorsBytes(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,18446744073709551616]}})", data), "\"data_offsets\"");
    // Fits in uint64 but far beyond the file: size mismatch first (as the reference checks).
    expectRejected(safetensorsBytes(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,18446744073709551615]}})", data), "data_offsets [0, 18446744073709551615]");
    // Correct size, but the data would end beyond the file end.
    expectRejected(safetensorsBytes(R"({"a":{"dtype":"U8","shape":[4294967296],"data_offsets":[0,4294967296]}})", data), "past the end of the file");
    expectRejected(safetensorsBytes(R"({"a":{"dtype":"U8","shape":[0],"data_offsets":[8,0]}})", data), "end before they begin");
}

CAPSULE_TEST(rejectsOverflowingShapeProduct) {
    expectRejected(safetensorsBytes(R"({"a":{"dtype":"F32","shape":[4294967296,4294967296,2],"data_offsets":[0,0]}})", ""),
                   "overflows the element count");
    // Fits in elements but not in bits (x32).
    expectRejected(safetensorsBytes(R"({"a":{"dtype":"F32","shape":[1152921504606846976],"data_offsets":[0,0]}})", ""),
                   "byte size overflows");
    // The reference folds left to right: an overflow before a 0 still fails.
    expectRejected(safetensorsBytes(R"({"a":{"dtype":"F32","shape":[4294967296,4294967296,0],"data_offsets":[0,0]}})", ""),
                   "overflows the element count");
}

CAPSULE_TEST(rejectsHole) {
    const std::string header =
        R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}})";
    expectRejected(safetensorsBytes(header, std::string(12, '\0')), "tensor 'b': data_offsets [8, 12] leave a hole");
    // A hole at the start of the buffer.
    expectRejected(safetensorsBytes(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", std::string(8, '\0')),
                   "leave a hole");
}

CAPSULE_TEST(rejectsOverlap) {
    const std::string header =
        R"({"h.0.attn.c_attn.weight":{"dtype":"F32","shape":[3],"data_offsets":[0,12]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})";
    expectRejected(safetensorsBytes(header, std::string(12, '\0')),
                   "tensor 'b': data_offsets [4, 12] overlap the previous tensor 'h.0.attn.c_attn.weight'");
    // Two tensors on the same bytes.
    expectRejected(safetensorsBytes(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})",
                                    std::string(4, '\0')),
                   "overlap");
}

CAPSULE_TEST(rejectsTrailingBytes) {
    expectRejected(safetensorsBytes(kValidHeader, kValidData + "x"), "1 trailing bytes");
    expectRejected(safetensorsBytes("{}", "junk"), "4 trailing bytes");
}

CAPSULE_TEST(rejectsDuplicateKeys) {
    const std::string header =
        R"({"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"a":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}})";
    expectRejected(safetensorsBytes(header, "xy"), "duplicate key 'a'");
    expectRejected(safetensorsBytes(R"({"__metadata__":{"k":"v","k":"w"}})", ""), "duplicate key 'k'");
}

CAPSULE_TEST(rejectsNestedMetadata) {
    expectRejected(safetensorsBytes(R"({"__metadata__":{"format":{"nested":"x"}}})", ""),
                   "\"__metadata__\" must map strings to strings, but 'format' holds object");
    expectRejected(safetensorsBytes(R"({"__metadata__":{"epochs":3}})", ""), "'epochs' holds number");
    expectRejected(safetensorsBytes(R"({"__metadata__":"pt"})", ""), "\"__metadata__\" must be an object");
}

CAPSULE_TEST(rejectsDirectoryAndMissingFile) {
    capsule::test::TempDir folder;
    VERIFY_THROWS(SafetensorsFile::open(folder.path()), "not a regular file");
    VERIFY_THROWS(SafetensorsFile::open(folder.file("absent.safetensors")), "absent.safetensors: cannot open");
}

// ---- mini-fuzzer -----------------------------------------------------------------------------

// Random byte flips, truncations, insertions and lying lengths applied to a valid file. Every
// variant must either open (and then every tensor() call must succeed or throw) or throw; a
// crash, hang or sanitizer report fails the test. Fixed seed: deterministic.
CAPSULE_TEST(fuzzedFilesNeverCrash) {
    capsule::test::TempDir folder;
    std::string header =
        R"({"__metadata__":{"format":"pt"},"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},"b":{"dtype":"BF16","shape":[3],"data_offsets":[24,30]},"m":{"dtype":"BOOL","shape":[2],"data_offsets":[30,32]},"i":{"dtype":"I64","shape":[],"data_offsets":[32,40]},"e":{"dtype":"F16","shape":[0],"data_offsets":[40,40]}})";
    header.append((8 - header.size() % 8) % 8, ' ');
    std::string data;
    for (int i = 0; i < 40; ++i) data += static_cast<char>(i * 7);
    const std::string valid = safetensorsBytes(header, data);
    {
        const auto check = openBytes(folder, "base.safetensors", valid);
        COMPARE(check->names().size(), size_t(5));
    }

    std::mt19937 random(20240607u);
    // The variants live in an in-memory file (memfd) where available: thousands of rewrites of a
    // disk file cost seconds of I/O wait on a busy machine; the reader cannot tell the difference.
    std::string path = folder.file("fuzz.safetensors");
    int memoryFile = -1;
#ifdef __linux__
    memoryFile = ::memfd_create("capsule-fuzz", MFD_CLOEXEC);
    if (memoryFile >= 0) path = "/proc/self/fd/" + std::to_string(memoryFile);
#endif
    auto store = [&](const std::string& bytes) {
        if (memoryFile < 0) {
            capsule::test::writeFile(path, bytes);
            return;
        }
        VERIFY(::ftruncate(memoryFile, 0) == 0);
        VERIFY(::pwrite(memoryFile, bytes.data(), bytes.size(), 0) == static_cast<ssize_t>(bytes.size()));
    };
    int opened = 0;
    int rejected = 0;
    constexpr int kIterations = 3000;
    for (int iteration = 0; iteration < kIterations; ++iteration) {
        std::string bytes = valid;
        const int mutation = static_cast<int>(random() % 6);
        if (mutation == 0) {  // flip a few bytes
            const int flips = 1 + static_cast<int>(random() % 4);
            for (int k = 0; k < flips; ++k) bytes[random() % bytes.size()] = static_cast<char>(random());
        } else if (mutation == 1) {  // truncate
            bytes.resize(random() % bytes.size());
        } else if (mutation == 2) {  // flip inside the header text only (keeps N)
            bytes[8 + random() % header.size()] = static_cast<char>(random() % 128);
        } else if (mutation == 3) {  // lying length
            const uint64_t lengths[] = {0, 1, header.size() - 1, header.size() + 1, header.size() + data.size(),
                                        100'000'000, random(), ~uint64_t(0)};
            const std::string prefix = littleEndianBytes(lengths[random() % 8], 8);
            bytes.replace(0, 8, prefix);
        } else if (mutation == 4) {  // insert or delete a byte
            const size_t at = random() % bytes.size();
            if (random() % 2) bytes.insert(at, 1, static_cast<char>(random()));
            else bytes.erase(at, 1);
        } else {  // rewrite a digit in the header (offsets and shapes)
            const size_t digitAt = header.find_first_of("0123456789", random() % header.size());
            if (digitAt != std::string::npos) bytes[8 + digitAt] = static_cast<char>('0' + random() % 10);
        }
        store(bytes);
        try {
            const auto file = SafetensorsFile::open(path);
            ++opened;
            for (const std::string& name : file->names()) {
                try {
                    const auto tensor = file->tensor(name);
                    // Touch every byte of the tensor so an out-of-range view would fault here.
                    (void)tensor.to(torch::kDouble).sum().item<double>();
                } catch (const std::runtime_error&) {
                }
            }
        } catch (const std::runtime_error& error) {
            ++rejected;
            VERIFY(std::string(error.what()).find(path) == 0);
        }
    }
    if (memoryFile >= 0) ::close(memoryFile);
    COMPARE(opened + rejected, kIterations);
    VERIFY(opened > 0);   // some mutations (e.g. in data bytes) keep the file valid
    VERIFY(rejected > kIterations / 2);
}
