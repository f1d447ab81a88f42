// writeFileAtomically / atomicReplaceDirectory: content replaced on success, old content and no
// temporary files left behind on failure.
#include "capsule_test.h"

#include "io/atomic_directory.h"
#include "io/atomic_file.h"

#include <algorithm>
#include <filesystem>
#include <stdexcept>
#include <sys/stat.h>

using namespace capsule::io;
namespace fs = std::filesystem;

namespace {

std::vector<std::string> folderEntries(const std::string& folder) {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(folder)) names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

}  // namespace

CAPSULE_TEST(writesAndReplacesFile) {
    capsule::test::TempDir folder;
    const std::string path = folder.file("config.json");
    writeFileAtomically(path, [](std::ostream& out) { out << "{\"a\": 1}"; });
    COMPARE(capsule::test::readFile(path), std::string("{\"a\": 1}"));
    writeFileAtomically(path, std::string("second"));
    COMPARE(capsule::test::readFile(path), std::string("second"));
    const char raw[] = {'\0', 'x', '\xff'};
    writeFileAtomically(path, raw, sizeof raw);
    COMPARE(capsule::test::readFile(path), std::string(raw, sizeof raw));
    writeFileAtomically(path, std::string());
    COMPARE(capsule::test::readFile(path), std::string());
    COMPARE(folderEntries(folder.path()), (std::vector<std::string>{"config.json"}));
}

CAPSULE_TEST(largeWritesGoThrough) {
    capsule::test::TempDir folder;
    const std::string path = folder.file("big.bin");
    std::string big(3 * 1024 * 1024 + 17, '\0');
    for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 31 + 7);
    writeFileAtomically(path, [&](std::ostream& out) {
        out.put('A');                                   // small write into the buffer
        out.write(big.data(), static_cast<std::streamsize>(big.size()));  // bypasses the buffer
        out << "tail";
    });
    COMPARE(capsule::test::readFile(path), "A" + big + "tail");
}

CAPSULE_TEST(throwingWriterKeepsOldFile) {
    capsule::test::TempDir folder;
    const std::string path = folder.file("model.safetensors");
    capsule::test::writeFile(path, "old content");
    VERIFY_THROWS(writeFileAtomically(path,
                                      [](std::ostream& out) {
                                          out << std::string(2 * 1024 * 1024, 'n');  // partly written
                                          throw std::runtime_error("writer gave up");
                                      }),
                  "writer gave up");  // the writer's own exception comes through
    COMPARE(capsule::test::readFile(path), std::string("old content"));
    COMPARE(folderEntries(folder.path()), (std::vector<std::string>{"model.safetensors"}));  // no temp file
}

CAPSULE_TEST(failuresNameThePath) {
    capsule::test::TempDir folder;
    const std::string missing = folder.file("no/such/folder/file.txt");
    VERIFY_THROWS(writeFileAtomically(missing, std::string("x")), missing + ": cannot create temporary file");
    // Replacing a folder by a file fails at the rename: the folder survives, no temp file stays.
    fs::create_directory(folder.file("occupied"));
    VERIFY_THROWS(writeFileAtomically(folder.file("occupied"), std::string("x")), folder.file("occupied") + ": cannot replace");
    VERIFY(fs::is_directory(folder.file("occupied")));
    COMPARE(folderEntries(folder.path()), (std::vector<std::string>{"occupied"}));
}

CAPSULE_TEST(keepsPermissionsOfReplacedFile) {
    capsule::test::TempDir folder;
    const std::string path = folder.file("script.sh");
    capsule::test::writeFile(path, "old");
    fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write | fs::perms::owner_exec);
    writeFileAtomically(path, std::string("new"));
    const auto perms = fs::status(path).permissions();
    VERIFY((perms & fs::perms::owner_exec) != fs::perms::none);
    VERIFY((perms & fs::perms::group_read) == fs::perms::none);
}

CAPSULE_TEST(temporaryPathsAreSiblingsAndUnique) {
    const std::string a = temporarySiblingPath("/x/y/file.bin");
    const std::string b = temporarySiblingPath("/x/y/file.bin");
    VERIFY(a.rfind("/x/y/file.bin.tmp-", 0) == 0);
    VERIFY(a != b);
}

CAPSULE_TEST(aFolderPathWithATrailingSlashIsTheFolder) {
    // "out/", as shell completion writes it: the temporary folder is a sibling, not a child.
    COMPARE(temporarySiblingPath("/x/out/").rfind("/x/out.tmp-", 0), size_t{0});
    capsule::test::TempDir folder;
    for (int round = 0; round < 2; ++round) {  // creates, then replaces
        writeDirectoryAtomically(folder.file("out/"), [&](const std::string& temporary) {
            capsule::test::writeFile(temporary + "/adapter_config.json", "v" + std::to_string(round));
        });
        COMPARE(folderEntries(folder.file("out")), (std::vector<std::string>{"adapter_config.json"}));
        COMPARE(capsule::test::readFile(folder.file("out/adapter_config.json")), "v" + std::to_string(round));
        COMPARE(folderEntries(folder.path()), (std::vector<std::string>{"out"}));
    }
}

CAPSULE_TEST(replacesDirectory) {
    capsule::test::TempDir folder;
    const std::string finalDirectory = folder.file("export");
    const std::string first = folder.file("export.tmp1");
    fs::create_directory(first);
    capsule::test::writeFile(first + "/adapter_config.json", "v1");
    atomicReplaceDirectory(first, finalDirectory);  // final did not exist
    COMPARE(capsule::test::readFile(finalDirectory + "/adapter_config.json"), std::string("v1"));

    const std::string second = folder.file("export.tmp2");
    fs::create_directory(second);
    capsule::test::writeFile(second + "/adapter_model.safetensors", "v2");
    atomicReplaceDirectory(second, finalDirectory);
    VERIFY(!fs::exists(finalDirectory + "/adapter_config.json"));  // old content gone, not merged
    COMPARE(capsule::test::readFile(finalDirectory + "/adapter_model.safetensors"), std::string("v2"));
    COMPARE(folderEntries(folder.path()), (std::vector<std::string>{"export"}));  // no .old- leftovers

    VERIFY_THROWS(atomicReplaceDirectory(folder.file("absent"), finalDirectory), "is not a folder");
    COMPARE(capsule::test::readFile(finalDirectory + "/adapter_model.safetensors"), std::string("v2"));
}
