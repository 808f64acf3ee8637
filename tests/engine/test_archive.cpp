// The one file format of the project (io/archive.h) and atomic writes: a round trip, every single
// flipped bit and every truncation refused with the file named, older checksum-less files still
// read (with a warning) and given a checksum in place, newer versions and other formats refused, stale temporary files of
// killed processes removed, unwritable outputs found before a job starts.
#include "irl/engine/core/diagnostics.h"
#include "irl/engine/io/archive.h"
#include "irl/engine/io/atomic_file.h"
#include "irl/engine/learning/irl/policy_file.h"
#include "irl/engine/models/unet_denoiser.h"
#include "test_registry.h"

#include <QTemporaryDir>
#include <QtTest/QtTest>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>
#include <sstream>

using namespace irl;

namespace {

const FileKind kKind{"irlstudio-test", 2, "test file"};

std::string bytes_of(const std::string& path) { return read_file(path); }

void write_bytes(const std::string& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string failure(const std::string& path, const FileKind& kind = kKind) {
    try {
        ArchiveReader reader(path, kind);
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return {};
}

}  // namespace

class TestArchive : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void roundTrip();
    void everyFlippedByteIsRefused();
    void truncationsAreRefused();
    void olderFilesStillRead();
    void everyFlippedByteOfAnOlderFileIsRefusedOrHarmless();
    void olderFilesGetAChecksumWithTheirBytesKept();
    void damagedZipNeverReachesLibTorch();
    void newerVersionsAndOtherFormatsAreRefused();
    void bundledStyleWeightsRoundTripThroughTheHelper();
    void staleTemporariesAreRemoved();
    void unwritableOutputsAreFoundFirst();

private:
    std::string save_sample(const std::string& name) {
        ArchiveWriter writer(kKind);
        writer.text("note", "hello");
        writer.integer("count", 42);
        writer.number("ratio", 0.25);
        writer.tensor("values", torch::arange(6, torch::kFloat64).reshape({2, 3}));
        const std::string path = dir_.filePath(QString::fromStdString(name)).toStdString();
        writer.save(path);
        return path;
    }
    QTemporaryDir dir_;
};

void TestArchive::roundTrip() {
    const std::string path = save_sample("a.bin");
    ArchiveReader reader(path, kKind);
    QVERIFY(reader.checksummed());
    QCOMPARE(reader.version(), 2);
    QCOMPARE(reader.text("note"), std::string("hello"));
    QCOMPARE(reader.integer("count"), int64_t(42));
    QCOMPARE(reader.number("ratio"), 0.25);
    QVERIFY(torch::equal(reader.tensor("values"), torch::arange(6, torch::kFloat64).reshape({2, 3})));
    try {
        reader.text("missing");
        QFAIL("a missing entry must be refused");
    } catch (const std::runtime_error& e) {
        QVERIFY2(QString(e.what()).contains("a.bin") && QString(e.what()).contains("missing"), e.what());
    }
}

void TestArchive::everyFlippedByteIsRefused() {
    // CRC-32 detects every single-bit error: flip one bit in every byte in turn (the header too).
    const std::string path = save_sample("b.bin");
    const std::string good = bytes_of(path);
    const std::string damaged = dir_.filePath("damaged.bin").toStdString();
    int refused = 0;
    for (size_t at = 0; at < good.size(); at += std::max<size_t>(1, good.size() / 400)) {
        std::string bytes = good;
        bytes[at] = char(bytes[at] ^ (1 << (at % 8)));
        write_bytes(damaged, bytes);
        const std::string why = failure(damaged);
        QVERIFY2(!why.empty(), qPrintable(QString("a flipped bit at byte %1 was not noticed").arg(at)));
        QVERIFY2(QString::fromStdString(why).contains("damaged.bin"), why.c_str());
        QVERIFY2(why.find("frame #") == std::string::npos, why.c_str());
        ++refused;
    }
    QVERIFY(refused > 100);
}

void TestArchive::truncationsAreRefused() {
    const std::string path = save_sample("c.bin");
    const std::string good = bytes_of(path);
    const std::string cut = dir_.filePath("cut.bin").toStdString();
    for (size_t length : {size_t(0), size_t(5), size_t(40), good.size() / 2, good.size() - 1}) {
        write_bytes(cut, good.substr(0, length));
        const std::string why = failure(cut);
        QVERIFY2(QString::fromStdString(why).contains("corrupt") && QString::fromStdString(why).contains("cut.bin"), why.c_str());
    }
    write_bytes(cut, good + "extra");
    QVERIFY(!failure(cut).empty());
}

void TestArchive::olderFilesStillRead() {
    // Written as the project did before checksums: a bare LibTorch archive whose "format" entry
    // names the format and version.
    torch::serialize::OutputArchive bare;
    bare.write("format", c10::IValue(std::string("irlstudio-test/1")));
    bare.write("note", c10::IValue(std::string("old")));
    std::ostringstream stream;
    bare.save_to(stream);
    const std::string path = dir_.filePath("old.bin").toStdString();
    write_bytes(path, stream.str());
    std::vector<std::string> warnings;
    const WarningHandler previous = set_warning_handler([&](const std::string& w) { warnings.push_back(w); });
    ArchiveReader reader(path, kKind);
    set_warning_handler(previous);
    QVERIFY(!reader.checksummed());
    QCOMPARE(reader.version(), 1);
    QCOMPARE(reader.text("note"), std::string("old"));
    QCOMPARE(warnings.size(), size_t(1));
    QVERIFY2(QString::fromStdString(warnings[0]).contains("old.bin") && QString::fromStdString(warnings[0]).contains("checksum"),
             warnings[0].c_str());
}

// An older file has no checksum of its own: its ZIP entries' CRC-32s are what protects it. Each
// byte flipped in turn (its lowest bit) is refused with the file named, or harmless (bytes no
// CRC covers, such as padding): the same tensor and text then load.
void TestArchive::everyFlippedByteOfAnOlderFileIsRefusedOrHarmless() {
    torch::serialize::OutputArchive bare;
    bare.write("format", c10::IValue(std::string("irlstudio-test/1")));
    bare.write("note", c10::IValue(std::string("old")));
    const torch::Tensor weights = torch::arange(24, torch::kFloat32).reshape({4, 6}) / 7.0;
    bare.write("weights", weights);
    std::ostringstream stream;
    bare.save_to(stream);
    const std::string good = stream.str();
    QVERIFY(zip_structure_problem(good).empty());
    int refused = 0, harmless = 0;
    for (size_t i = 0; i < good.size(); ++i) {
        std::string bytes = good;
        bytes[i] = static_cast<char>(bytes[i] ^ 0x01);
        try {
            ArchiveReader reader = ArchiveReader::from_bytes(bytes, "old-flipped.bin", kKind);
            QVERIFY2(torch::equal(reader.tensor("weights"), weights) && reader.text("note") == "old",
                     qPrintable(QString("byte %1 flipped reads different contents").arg(i)));
            ++harmless;
        } catch (const std::runtime_error& e) {
            QVERIFY2(QString(e.what()).contains("old-flipped.bin"), e.what());
            ++refused;
        }
    }
    qInfo("%zu bytes: %d flips refused, %d harmless", good.size(), refused, harmless);
    QVERIFY(refused > static_cast<int>(good.size()) / 2);
}

// `irlstudio-cli add-checksum`: the header goes in front of the old bytes, which stay as they were,
// so the same tensors load; a file with a header is left alone; anything else is refused by name.
void TestArchive::olderFilesGetAChecksumWithTheirBytesKept() {
    torch::serialize::OutputArchive bare;
    bare.write("format", c10::IValue(std::string("irlstudio-test/1")));
    bare.write("note", c10::IValue(std::string("old")));
    const torch::Tensor weights = torch::linspace(-1.0, 1.0, 40, torch::kFloat64);
    bare.write("weights", weights);
    std::ostringstream stream;
    bare.save_to(stream);
    const std::string old = stream.str();

    const std::string given = with_checksum_header(old, "old.bin");
    QVERIFY(given.size() > old.size());
    QVERIFY(given.compare(given.size() - old.size(), old.size(), old) == 0);
    std::vector<std::string> warnings;
    const WarningHandler previous = set_warning_handler([&](const std::string& w) { warnings.push_back(w); });
    ArchiveReader reader = ArchiveReader::from_bytes(given, "old.bin", kKind);
    set_warning_handler(previous);
    QVERIFY(reader.checksummed());
    QCOMPARE(reader.version(), 1);
    QVERIFY(torch::equal(reader.tensor("weights"), weights));
    QCOMPARE(reader.text("note"), std::string("old"));
    QVERIFY(warnings.empty());
    QCOMPARE(with_checksum_header(given, "old.bin"), given);
    std::string damaged = given;
    damaged[damaged.size() - 40] = char(damaged[damaged.size() - 40] ^ 1);
    try {
        with_checksum_header(damaged, "given.bin");
        QFAIL("a file whose checksum does not match must not be passed as checksummed");
    } catch (const std::runtime_error& e) {
        QVERIFY2(QString(e.what()).contains("'given.bin'") && QString(e.what()).contains("checksum"), e.what());
    }

    auto refusal = [](const std::string& bytes, const std::string& source) -> std::string {
        try {
            with_checksum_header(bytes, source);
        } catch (const std::runtime_error& e) {
            return e.what();
        }
        return {};
    };
    const std::string cut = refusal(old.substr(0, old.size() / 2), "cut.bin");
    QVERIFY2(QString::fromStdString(cut).contains("'cut.bin'") && QString::fromStdString(cut).contains("truncated"), cut.c_str());
    torch::serialize::OutputArchive foreign;
    foreign.write("weights", weights);
    std::ostringstream foreign_stream;
    foreign.save_to(foreign_stream);
    const std::string no_format = refusal(foreign_stream.str(), "foreign.pt");
    QVERIFY2(QString::fromStdString(no_format).contains("'foreign.pt'") && QString::fromStdString(no_format).contains("format"), no_format.c_str());
    const std::string text = refusal("hello", "notes.txt");
    QVERIFY2(QString::fromStdString(text).contains("'notes.txt'"), text.c_str());
}

void TestArchive::damagedZipNeverReachesLibTorch() {
    // A checksum only proves the payload is what was written; a payload forged or written damaged
    // (a matching header over a cut ZIP) and an old checksum-less file cut short are refused by
    // the ZIP checks, before LibTorch parses a byte.
    const std::string good = bytes_of(save_sample("zip.bin"));
    const size_t body = good.find('\n') + 1;
    const std::string zip = good.substr(body);
    QVERIFY(zip_structure_problem(zip).empty());
    const std::string cut_zip = zip.substr(0, zip.size() - 30);
    const std::string forged = archive_header_line("irlstudio-test", 2, cut_zip) + cut_zip;
    write_bytes(dir_.filePath("forged.bin").toStdString(), forged);
    const std::string why = failure(dir_.filePath("forged.bin").toStdString());
    QVERIFY2(QString::fromStdString(why).contains("forged.bin") && QString::fromStdString(why).contains("ZIP end record"), why.c_str());
    // A directory entry that points past the data.
    std::string pointing = zip;
    const size_t central = pointing.rfind(std::string("PK\x01\x02", 4));
    QVERIFY(central != std::string::npos);
    pointing[central + 42 + 3] = '\x7f';  // the local header offset's top byte
    QVERIFY2(!zip_structure_problem(pointing).empty(), "an entry outside the file must be refused");
    // Checksum-less (old) files get the same checks.
    write_bytes(dir_.filePath("old-cut.bin").toStdString(), zip.substr(0, zip.size() / 2));
    QVERIFY(QString::fromStdString(failure(dir_.filePath("old-cut.bin").toStdString())).contains("truncated"));
}

void TestArchive::newerVersionsAndOtherFormatsAreRefused() {
    ArchiveWriter newer(FileKind{"irlstudio-test", 3, "test file"});
    newer.text("note", "from the future");
    const std::string path = dir_.filePath("newer.bin").toStdString();
    newer.save(path);
    QVERIFY2(QString::fromStdString(failure(path)).contains("newer version"), failure(path).c_str());
    const std::string other = save_sample("other.bin");
    const std::string why = failure(other, FileKind{"irlstudio-policy", 1, "policy file"});
    QVERIFY2(QString::fromStdString(why).contains("is not an IRL Sampler Studio policy file") &&
                 QString::fromStdString(why).contains("irlstudio-test"),
             why.c_str());
    write_bytes(dir_.filePath("text.bin").toStdString(), "just some text\n");
    QVERIFY(QString::fromStdString(failure(dir_.filePath("text.bin").toStdString())).contains("corrupt"));
    QVERIFY(QString::fromStdString(failure(dir_.filePath("absent.bin").toStdString())).contains("does not exist"));
}

void TestArchive::bundledStyleWeightsRoundTripThroughTheHelper() {
    // The real loaders go through the same helper: a policy with one flipped bit names its file.
    ActionSpace space;
    space.components.push_back({ActionKind::Churn, {0.0, 0.3}});
    TablePolicy policy(space, 4);
    PolicySetup setup{"toy:ring8", {2}, 8, Solver::Euler, {80.0, 10.0, 1.0, 0.1, 0.0}};
    const std::string path = dir_.filePath("policy.pt").toStdString();
    save_policy(policy, setup, path);
    QVERIFY(load_policy(path).policy);
    std::string bytes = bytes_of(path);
    bytes[bytes.size() - 10] = char(bytes[bytes.size() - 10] ^ 4);
    write_bytes(path, bytes);
    try {
        load_policy(path);
        QFAIL("a damaged policy file must be refused");
    } catch (const std::runtime_error& e) {
        QVERIFY2(QString(e.what()).contains("policy file") && QString(e.what()).contains("policy.pt"), e.what());
    }
}

void TestArchive::staleTemporariesAreRemoved() {
    namespace fs = std::filesystem;
    const std::string target = dir_.filePath("out.png").toStdString();
    // A temporary of a process that is gone (pid 2^22 + 1 is above Linux's default pid_max), and
    // one of a process that is alive (pid 1), beside the same target, and one beside another.
    const std::string dead = target + ".tmp-4194305-0", alive = target + ".tmp-1-0";
    const std::string other = dir_.filePath("other.png.tmp-4194305-0").toStdString();
    for (const std::string& p : {dead, alive, other}) write_bytes(p, "half a file");
    std::vector<std::string> warnings;
    const WarningHandler previous = set_warning_handler([&](const std::string& w) { warnings.push_back(w); });
    write_file_atomically(target, "whole file");
    set_warning_handler(previous);
    QCOMPARE(bytes_of(target), std::string("whole file"));
    QVERIFY(!fs::exists(dead));
    QVERIFY(fs::exists(alive));
    QVERIFY(fs::exists(other));
    QCOMPARE(warnings.size(), size_t(1));
    // Nothing of this write is left behind either.
    int temporaries = 0;
    for (const auto& entry : fs::directory_iterator(dir_.path().toStdString()))
        if (entry.path().filename().string().rfind("out.png.tmp-", 0) == 0) ++temporaries;
    QCOMPARE(temporaries, 1);  // the live process's
}

void TestArchive::unwritableOutputsAreFoundFirst() {
    check_writable(dir_.filePath("fine/deeper/file.pt").toStdString());
    QVERIFY(std::filesystem::exists(dir_.filePath("fine/deeper").toStdString()));
    QVERIFY_THROWS_EXCEPTION(std::runtime_error, check_writable(dir_.path().toStdString()));  // a folder
    QVERIFY_THROWS_EXCEPTION(std::runtime_error, check_writable("/proc/irlstudio/file.pt"));
    QVERIFY_THROWS_EXCEPTION(std::runtime_error, write_file_atomically("/proc/irlstudio-file.pt", "x"));
}

IRL_TEST_CLASS("test_archive", TestArchive)
#include "test_archive.moc"
