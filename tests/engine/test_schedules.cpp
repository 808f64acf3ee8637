// Schedules: exact endpoints and spacing, descending, ending at 0, and clear refusals.
#include "irl/engine/sampling/schedule.h"
#include "test_registry.h"

#include <QtTest/QtTest>

#include <cmath>

using namespace irl;

class TestSchedules : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void karrasMatchesFormula();
    void exponentialIsLogLinear();
    void customAppendsZero();
    void singleStep();
    void invalidParameters_data();
    void invalidParameters();
    void names();
    void pastedLists();
};

static void check_descending_to_zero(const std::vector<double>& s) {
    QVERIFY(s.size() >= 2);
    QCOMPARE(s.back(), 0.0);
    for (size_t i = 0; i + 1 < s.size(); ++i) QVERIFY(s[i] > s[i + 1]);
}

void TestSchedules::karrasMatchesFormula() {
    const auto s = karras_schedule(18, 0.002, 80.0, 7.0);
    QCOMPARE(s.size(), size_t(19));
    check_descending_to_zero(s);
    QVERIFY(std::abs(s.front() - 80.0) < 1e-12);
    QVERIFY(std::abs(s[17] - 0.002) < 1e-15);
    // Karras et al. 2022 Eq. 5 at i = 9 of N = 18.
    const double a = std::pow(80.0, 1.0 / 7.0), b = std::pow(0.002, 1.0 / 7.0);
    QVERIFY(std::abs(s[9] - std::pow(a + 9.0 / 17.0 * (b - a), 7.0)) < 1e-12);
}

void TestSchedules::exponentialIsLogLinear() {
    const auto s = exponential_schedule(10, 0.01, 10.0);
    check_descending_to_zero(s);
    const double ratio = s[1] / s[0];
    for (int i = 1; i < 10; ++i) QVERIFY(std::abs(s[i] / s[i - 1] - ratio) < 1e-12);
    QVERIFY(std::abs(s[9] - 0.01) < 1e-14);
}

void TestSchedules::customAppendsZero() {
    QCOMPARE(custom_schedule({3.0, 1.0, 0.1}), (std::vector<double>{3.0, 1.0, 0.1, 0.0}));
    QCOMPARE(custom_schedule({3.0, 1.0, 0.0}), (std::vector<double>{3.0, 1.0, 0.0}));
}

void TestSchedules::singleStep() {
    QCOMPARE(karras_schedule(1, 0.002, 80.0), (std::vector<double>{80.0, 0.0}));
}

void TestSchedules::invalidParameters_data() {
    QTest::addColumn<int>("which");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("zero steps") << 0 << "steps";
    QTest::newRow("negative sigma_min") << 1 << "sigma_min";
    QTest::newRow("max below min") << 2 << "sigma_max";
    QTest::newRow("rho") << 3 << "rho";
    QTest::newRow("not descending") << 4 << "descending";
    QTest::newRow("negative entry") << 5 << "sigmas[1]";
    QTest::newRow("empty") << 6 << "at least one";
}

void TestSchedules::invalidParameters() {
    QFETCH(int, which);
    QFETCH(QString, mentions);
    try {
        switch (which) {
        case 0: karras_schedule(0, 0.002, 80.0); break;
        case 1: karras_schedule(10, -1.0, 80.0); break;
        case 2: exponential_schedule(10, 1.0, 0.5); break;
        case 3: karras_schedule(10, 0.002, 80.0, 0.0); break;
        case 4: custom_schedule({1.0, 2.0}); break;
        case 5: custom_schedule({1.0, -2.0}); break;
        case 6: custom_schedule({0.0}); break;
        }
        QFAIL("expected std::invalid_argument");
    } catch (const std::invalid_argument& e) {
        QVERIFY2(QString(e.what()).contains(mentions), e.what());
    }
}

void TestSchedules::names() {
    QCOMPARE(schedule_kind_from_string("karras"), ScheduleKind::Karras);
    QCOMPARE(QString(to_string(ScheduleKind::Exponential)), QString("exponential"));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, schedule_kind_from_string("linear"));
    QCOMPARE(schedule_kind_from_string("learned"), ScheduleKind::Learned);
}

// Lists as users paste them: ComfyUI's comma-separated string, a Python list, one per line.
void TestSchedules::pastedLists() {
    const std::vector<double> expected{80.0, 20.5, 0.1, 0.0};
    QCOMPARE(parse_sigma_list("80, 20.5, 0.1"), expected);
    QCOMPARE(parse_sigma_list("[80.0, 20.5, 1e-1, 0.0]"), expected);
    QCOMPARE(parse_sigma_list("80\n20.5\r\n  0.1\n"), expected);
    QCOMPARE(parse_sigma_list("0.30000000000000004, 0"), (std::vector<double>{0.30000000000000004, 0.0}));
    try {
        parse_sigma_list("80, 2O, 1");
        QFAIL("expected std::invalid_argument");
    } catch (const std::invalid_argument& e) {
        QVERIFY2(QString(e.what()).contains("'2O'"), e.what());
    }
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, parse_sigma_list("1, 5"));  // not descending
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, parse_sigma_list("[]"));
}

IRL_TEST_CLASS("test_schedules", TestSchedules)
#include "test_schedules.moc"
