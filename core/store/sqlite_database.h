#pragma once
// A thin RAII layer over SQLite's C API: one Database per thread (SQLite connections are not shared
// across threads here), prepared Statements with typed binds and reads, and Transactions that roll
// back unless committed. Every error throws StoreError naming the database file and the SQL.
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

struct sqlite3;
struct sqlite3_stmt;

namespace capsule::store {

struct StoreError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class Database;

class Statement {
public:
    Statement(Database& database, const std::string& sql);
    ~Statement();
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;
    Statement(Statement&& other) noexcept;

    /// Binds by 1-based index; returns *this for chaining.
    Statement& bind(int index, int64_t value);
    Statement& bind(int index, double value);
    Statement& bind(int index, const std::string& value);
    Statement& bind(int index, const std::optional<int64_t>& value);
    Statement& bind(int index, const std::optional<double>& value);
    Statement& bind(int index, const std::optional<std::string>& value);
    Statement& bindNull(int index);

    /// Runs one step: true while a row is available.
    bool step();
    /// Runs to completion (for statements without results).
    void run();
    void reset();

    int64_t columnInt(int column) const;
    double columnDouble(int column) const;
    std::string columnText(int column) const;
    bool columnIsNull(int column) const;
    std::optional<int64_t> columnOptionalInt(int column) const;
    std::optional<double> columnOptionalDouble(int column) const;

private:
    [[noreturn]] void fail(const char* what) const;
    Database* database_;  // not owned
    sqlite3_stmt* statement_ = nullptr;
    std::string sql_;
};

class Database {
public:
    /// Opens (creating if needed) the database file. Sets WAL journaling, foreign keys, a busy
    /// timeout (so readers on other threads/processes wait instead of failing) and synchronous=NORMAL
    /// (safe with WAL: a crash loses at most the last transactions, never consistency).
    explicit Database(const std::string& path);
    ~Database();
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    void execute(const std::string& sql);
    int64_t lastInsertRowId() const;
    int changes() const;
    const std::string& path() const { return path_; }
    sqlite3* handle() const { return handle_; }
    std::string lastError() const;

private:
    sqlite3* handle_ = nullptr;
    std::string path_;
};

/// BEGIN IMMEDIATE ... COMMIT; rolls back in the destructor unless commit() was called.
class Transaction {
public:
    explicit Transaction(Database& database);
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    void commit();

private:
    Database& database_;
    bool done_ = false;
};

}  // namespace capsule::store
