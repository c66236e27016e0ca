using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MySqlConnector;
using NeighbourHub.Web.Data;

namespace NeighbourHub.IntegrationTests;

/// <summary>
/// One-trip transactions on real MariaDB: all or nothing, and never a connection left inside a transaction (pooled
/// connections are not reset when taken, so a leaked transaction would swallow the next request's writes).
/// </summary>
public sealed class OneTripTransactionTests(AppFixture fixture) : AppTest(fixture)
{
    private static readonly string InsertTwice = OneTripTransaction.Sql("""
        INSERT INTO `OutboxMessages` (`Topic`, `Key`, `Payload`, `CreatedAt`, `AvailableAt`, `Attempts`) VALUES ('test', @key, '{}', @at, @at, 0);
        INSERT INTO `OutboxMessages` (`Topic`, `Key`, `Payload`, `CreatedAt`, `AvailableAt`, `Attempts`) VALUES ('test', @second, '{}', @at, @at, 0);
        SET ok = @keep;
        """);

    private object[] Parameters(string key, string second, int keep) =>
    [
        new MySqlParameter("@key", key), new MySqlParameter("@second", second),
        new MySqlParameter("@at", App.Services.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime), new MySqlParameter("@keep", keep),
    ];

    [Fact]
    public async Task It_commits_when_the_body_says_so_rolls_back_when_not_and_on_any_error_leaves_no_transaction_open()
    {
        await using var db = App.SystemDb();
        await db.Database.OpenConnectionAsync(); // one connection throughout: the one a leaked transaction would stay on

        Assert.True(await OneTripTransaction.RunAsync(db, InsertTwice, Parameters("one-trip:a", "one-trip:b", keep: 1), default));
        Assert.False(await OneTripTransaction.RunAsync(db, InsertTwice, Parameters("one-trip:c", "one-trip:d", keep: 0), default));
        // The second insert breaks the unique key: the first is rolled back and the error keeps its code.
        var error = await Assert.ThrowsAsync<MySqlException>(() => OneTripTransaction.RunAsync(db, InsertTwice, Parameters("one-trip:e", "one-trip:e", keep: 1), default));
        Assert.Equal(MySqlErrorCode.DuplicateKeyEntry, error.ErrorCode);

        Assert.Equal(0, (await db.Database.SqlQueryRaw<int>("SELECT @@in_transaction AS `Value`").ToListAsync()).Single());
        var keys = await db.OutboxMessages.Where(m => m.Topic == "test").Select(m => m.Key).OrderBy(k => k).ToListAsync();
        Assert.Equal(["one-trip:a", "one-trip:b"], keys);

        await using var tx = await db.Database.BeginTransactionAsync();
        await Assert.ThrowsAsync<InvalidOperationException>(() => OneTripTransaction.RunAsync(db, InsertTwice, Parameters("one-trip:f", "one-trip:g", keep: 1), default));
    }
}
