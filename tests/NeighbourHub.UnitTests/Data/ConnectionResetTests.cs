using MySqlConnector;
using NeighbourHub.Web.Data;
using Xunit;

namespace NeighbourHub.UnitTests.Data;

/// <summary>The pool hands out connections without a reset round trip unless the operator's connection string asks for one (ADR 0014).</summary>
public sealed class ConnectionResetTests
{
    private static bool ResetOf(string connectionString) =>
        new MySqlConnectionStringBuilder(DataExtensions.WithoutConnectionReset(connectionString)).ConnectionReset;

    [Fact]
    public void Reset_is_off_by_default_and_the_rest_of_the_string_is_kept()
    {
        const string given = "Server=db;Port=3306;Database=nh;User ID=nh_app;Password=secret;AllowUserVariables=True";
        Assert.False(ResetOf(given));
        var kept = new MySqlConnectionStringBuilder(DataExtensions.WithoutConnectionReset(given));
        Assert.Equal(("db", 3306u, "nh", "nh_app", "secret", true), (kept.Server, kept.Port, kept.Database, kept.UserID, kept.Password, kept.AllowUserVariables));
    }

    [Theory]
    [InlineData("Server=db;Database=nh;Connection Reset=true")]
    [InlineData("Server=db;Database=nh;ConnectionReset=True")]
    public void An_operator_who_asks_for_the_reset_keeps_it(string given) => Assert.True(ResetOf(given));
}
