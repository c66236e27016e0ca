using NeighbourHub.Web.Data;
using Xunit;

namespace NeighbourHub.UnitTests.Data;

/// <summary>The one-trip transaction (MariaDB's <c>BEGIN NOT ATOMIC</c>) is chosen only where the server has it.</summary>
public sealed class OneTripTransactionTests
{
    [Theory]
    [InlineData(DatabaseProvider.MySql, "10.11.0-mariadb", true)]
    [InlineData(DatabaseProvider.MySql, "11.4.2-mariadb", true)]
    [InlineData(DatabaseProvider.MySql, "8.0.36-mysql", false)]
    [InlineData(DatabaseProvider.Sqlite, "10.11.0-mariadb", false)]
    public void Only_MariaDB_takes_one_trip_transactions(DatabaseProvider provider, string serverVersion, bool expected) =>
        Assert.Equal(expected, OneTripTransaction.SupportedBy(new DatabaseOptions { Provider = provider, ServerVersion = serverVersion }));

    [Fact]
    public void The_statement_rolls_back_on_any_error_and_commits_only_when_the_body_says_so()
    {
        var sql = OneTripTransaction.Sql("SET ok = 1;");
        Assert.Contains("DECLARE EXIT HANDLER FOR SQLEXCEPTION BEGIN ROLLBACK; RESIGNAL; END;", sql, StringComparison.Ordinal);
        Assert.Contains("IF ok = 1 THEN COMMIT; ELSE ROLLBACK; END IF;", sql, StringComparison.Ordinal);
        Assert.True(sql.IndexOf("START TRANSACTION;", StringComparison.Ordinal) < sql.IndexOf("SET ok = 1;", StringComparison.Ordinal));
    }
}
