// `irlstudio-cli make-emoji-folder`: renders the emoji of Debian's fonts-noto-color-emoji into an
// image folder (one subfolder per emoji group of unicode-data's emoji-test.txt), the colour data of
// the second bundled model. Offscreen Qt rendering, so it needs no display.
#include "arguments.h"
#include "commands.h"

#include <QFile>
#include <QFontDatabase>
#include <QGuiApplication>
#include <QImage>
#include <QPainter>
#include <QRawFont>
#include <QTextLayout>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

namespace irl::cli {
namespace {

constexpr const char* kFont = "/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf";
constexpr const char* kEmojiTest = "/usr/share/unicode/emoji/emoji-test.txt";
// NotoColorEmoji is a CBDT bitmap font whose strikes are 109 pixels per em (bitmaps 136 x 128):
// rendering at that size draws the stored bitmap without scaling.
constexpr int kNativePixels = 109;
constexpr int kCanvas = 136;

struct Emoji {
    std::string group;
    std::u32string code_points;
    std::string name;
};

bool is_skin_tone(char32_t c) { return c >= 0x1F3FB && c <= 0x1F3FF; }

// "Smileys & Emotion" -> "smileys-emotion": folder names that sort like the file's group order
// would not, so the class index is the sorted folder name (as every image folder is read).
std::string folder_name(const std::string& group) {
    std::string out;
    for (char c : group) {
        if (std::isalnum(static_cast<unsigned char>(c))) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        else if (!out.empty() && out.back() != '-') out += '-';
    }
    while (!out.empty() && out.back() == '-') out.pop_back();
    return out;
}

// Fully-qualified emoji without the Component group and without skin-tone variants (the base
// emoji stays): the file lists every person five more times, once per tone.
std::vector<Emoji> read_emoji_list(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot read '" + path + "' (install Debian's unicode-data)");
    std::vector<Emoji> list;
    std::string line, group;
    int line_number = 0;
    while (std::getline(in, line)) {
        ++line_number;
        if (line.rfind("# group:", 0) == 0) {
            group = line.substr(8);
            group.erase(0, group.find_first_not_of(' '));
            continue;
        }
        if (line.empty() || line[0] == '#') continue;
        const auto semicolon = line.find(';'), hash = line.find('#');
        if (semicolon == std::string::npos || hash == std::string::npos)
            throw std::runtime_error("'" + path + "' line " + std::to_string(line_number) + ": expected 'CODES ; STATUS # ...'");
        if (line.substr(semicolon, hash - semicolon).find("fully-qualified") == std::string::npos) continue;
        if (group == "Component") continue;
        Emoji emoji;
        emoji.group = group;
        std::istringstream codes(line.substr(0, semicolon));
        std::string hex;
        bool toned = false;
        while (codes >> hex) {
            const char32_t c = static_cast<char32_t>(std::stoul(hex, nullptr, 16));
            toned = toned || is_skin_tone(c);
            emoji.code_points += c;
        }
        if (toned) continue;
        // "# 😀 E1.0 grinning face": the name follows the version.
        const std::string comment = line.substr(hash + 1);
        const auto version = comment.find(" E");
        const auto space = version == std::string::npos ? std::string::npos : comment.find(' ', version + 2);
        emoji.name = space == std::string::npos ? "" : comment.substr(space + 1);
        list.push_back(emoji);
    }
    return list;
}

std::string file_stem(const Emoji& emoji) {
    std::string stem;
    for (char32_t c : emoji.code_points) {
        char hex[16];
        std::snprintf(hex, sizeof hex, "%s%04x", stem.empty() ? "" : "_", static_cast<unsigned>(c));
        stem += hex;
    }
    return stem;
}

// The emoji drawn at the font's native size, its alpha bounding box centred in a square canvas
// of one bitmap width (larger when the glyph is), alpha-composited on `background`, then reduced
// to size x size by area averaging. Empty when the sequence does not shape into one glyph of the
// emoji font (the renderer would draw its parts side by side).
cv::Mat render(const Emoji& emoji, const QFont& font, const QString& family, int size, const QColor& background) {
    const QString text = QString::fromUcs4(emoji.code_points.data(), static_cast<qsizetype>(emoji.code_points.size()));
    QTextLayout layout(text, font);
    layout.beginLayout();
    QTextLine line = layout.createLine();
    layout.endLayout();
    if (!line.isValid()) return {};
    const QList<QGlyphRun> runs = layout.glyphRuns();
    qsizetype glyphs = 0;
    for (const QGlyphRun& run : runs) {
        if (run.rawFont().familyName() != family) return {};
        glyphs += run.glyphIndexes().size();
    }
    if (runs.size() != 1 || glyphs != 1) return {};

    QImage image(2 * kCanvas, 2 * kCanvas, QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::transparent);
    {
        QPainter painter(&image);
        const QGlyphRun& run = runs.first();
        painter.drawGlyphRun(QPointF(kCanvas, kCanvas) - run.boundingRect().center(), run);
    }
    int left = image.width(), top = image.height(), right = -1, bottom = -1;
    for (int y = 0; y < image.height(); ++y) {
        const QRgb* row = reinterpret_cast<const QRgb*>(image.constScanLine(y));
        for (int x = 0; x < image.width(); ++x)
            if (qAlpha(row[x]) > 0) left = std::min(left, x), right = std::max(right, x), top = std::min(top, y), bottom = std::max(bottom, y);
    }
    if (right < 0) return {};
    const int width = right - left + 1, height = bottom - top + 1;
    const int side = std::max({kCanvas, width, height});
    // Premultiplied colour plus (1 - alpha) of the background: "over" compositing.
    cv::Mat square(side, side, CV_8UC3, cv::Scalar(background.blue(), background.green(), background.red()));
    const int x0 = (side - width) / 2, y0 = (side - height) / 2;
    for (int y = 0; y < height; ++y) {
        const QRgb* row = reinterpret_cast<const QRgb*>(image.constScanLine(top + y));
        cv::Vec3b* out = square.ptr<cv::Vec3b>(y0 + y);
        for (int x = 0; x < width; ++x) {
            const QRgb p = row[left + x];
            const double keep = 1.0 - qAlpha(p) / 255.0;
            out[x0 + x] = cv::Vec3b(cv::saturate_cast<uint8_t>(qBlue(p) + keep * background.blue()),
                                    cv::saturate_cast<uint8_t>(qGreen(p) + keep * background.green()),
                                    cv::saturate_cast<uint8_t>(qRed(p) + keep * background.red()));
        }
    }
    cv::Mat small;
    cv::resize(square, small, cv::Size(size, size), 0, 0, cv::INTER_AREA);
    return small;
}

}  // namespace

bool emoji_folder_wants_gui(const std::vector<std::string>& args) { return !args.empty() && args[0] == "make-emoji-folder"; }

int emoji_folder_command(const std::vector<std::string>& raw, const CancelToken& cancel) {
    const Arguments args(raw, {"out", "size", "background", "holdout-every", "font", "emoji-test"}, {"help", "json"});
    if (args.flag("help")) {
        std::cout << "usage: irlstudio-cli make-emoji-folder --out DIR [OPTIONS]\n\n"
                     "Renders the fully-qualified emoji of unicode-data's emoji-test.txt with the Noto Color Emoji font\n"
                     "(fonts-noto-color-emoji), without the Component group and without skin-tone variants, into\n"
                     "DIR/train/<group>/<code points>.png and DIR/test/<group>/... (every --holdout-every-th emoji of a\n"
                     "group is held out). Sequences that do not shape into one glyph are skipped and counted.\n\n"
                     "  --size N            output pixels per side (default 32), reduced from the font's native\n"
                     "                      109-pixel bitmaps by area averaging\n"
                     "  --background COLOR  what transparent pixels are composited on (default white)\n"
                     "  --holdout-every K   default 5 (20% held out); 0 writes everything to DIR/train\n"
                     "  --font FILE, --emoji-test FILE   other copies of the two Debian files\n"
                     "  --json              print the counts per group\n";
        return kExitOk;
    }
    const std::string out = args.text("out", "");
    if (out.empty()) throw UsageError("--out DIR is required");
    const int size = static_cast<int>(args.integer("size", 32, 8, 512));
    const int holdout = static_cast<int>(args.integer("holdout-every", 5, 0, 1000));
    const QColor background(QString::fromStdString(args.text("background", "white")));
    if (!background.isValid()) throw UsageError("--background: '" + args.text("background", "") + "' is not a colour name or #rrggbb");
    const std::string font_path = args.text("font", kFont);
    const int font_id = QFontDatabase::addApplicationFont(QString::fromStdString(font_path));
    if (font_id < 0) throw UsageError("--font: cannot load '" + font_path + "' (install Debian's fonts-noto-color-emoji)");
    const QString family = QFontDatabase::applicationFontFamilies(font_id).value(0);
    QFont font(family);
    font.setPixelSize(kNativePixels);
    font.setStyleStrategy(QFont::NoFontMerging);  // a sequence the emoji font lacks must not borrow glyphs

    const std::vector<Emoji> list = read_emoji_list(args.text("emoji-test", kEmojiTest));
    std::map<std::string, int> position_in_group, written_train, written_test, skipped;
    std::vector<std::string> skipped_names;
    namespace fs = std::filesystem;
    for (const Emoji& emoji : list) {
        cancel.throw_if_cancelled();
        const std::string group = folder_name(emoji.group);
        const int position = position_in_group[group]++;
        const cv::Mat image = render(emoji, font, family, size, background);
        if (image.empty()) {
            ++skipped[group];
            if (skipped_names.size() < 10) skipped_names.push_back(emoji.name);
            continue;
        }
        const bool held_out = holdout > 0 && position % holdout == holdout - 1;
        const fs::path folder = fs::path(out) / (held_out ? "test" : "train") / group;
        fs::create_directories(folder);
        const fs::path file = folder / (file_stem(emoji) + ".png");
        if (!cv::imwrite(file.string(), image)) throw std::runtime_error("cannot write '" + file.string() + "'");
        ++(held_out ? written_test : written_train)[group];
    }
    nlohmann::json report = {{"folder", out}, {"size", size}, {"background", background.name().toStdString()}, {"groups", nlohmann::json::object()}};
    int train = 0, test = 0, lost = 0;
    for (const auto& [group, count] : position_in_group) {
        report["groups"][group] = {{"train", written_train[group]}, {"test", written_test[group]}, {"skipped", skipped[group]}};
        train += written_train[group], test += written_test[group], lost += skipped[group];
        (void)count;
    }
    report["train"] = train, report["test"] = test, report["skipped"] = lost, report["skipped_examples"] = skipped_names;
    if (args.flag("json")) std::cout << report.dump() << std::endl;
    else std::printf("wrote %d training and %d held-out emoji of %zu groups to %s (%d sequences skipped: not one glyph)\n", train,
                     test, position_in_group.size(), out.c_str(), lost);
    return kExitOk;
}

}  // namespace irl::cli
