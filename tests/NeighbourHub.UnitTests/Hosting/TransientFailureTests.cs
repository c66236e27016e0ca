using NeighbourHub.Web.Hosting;

namespace NeighbourHub.UnitTests;

/// <summary>Which failures answer 503 "try again" rather than 500 (ProblemDetailsExceptionHandler).</summary>
public sealed class TransientFailureTests
{
    [Fact]
    public void A_connection_that_is_no_longer_open_is_a_transient_failure_of_the_database()
    {
        // What a request meets when its pooled connection died under it: MySqlConnector refuses to use it.
        using var connection = new MySqlConnector.MySqlConnection("Server=127.0.0.1");
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT 1";
        var refused = Assert.Throws<InvalidOperationException>(() => command.ExecuteScalar());

        Assert.True(ProblemDetailsExceptionHandler.IsTransientInfrastructureFailure(refused));
        Assert.True(ProblemDetailsExceptionHandler.IsTransientInfrastructureFailure(new Exception("wrapped", refused)));
    }

    [Fact]
    public void A_reply_cut_short_is_a_transient_failure_and_a_dead_connection()
    {
        // What BEGIN threw, unwrapped, on a pooled connection that died with MariaDB's restart (kill test). MySqlConnector
        // makes it only internally, so it is built here the way it builds it.
        var cut = (MySqlConnector.MySqlEndOfStreamException)Activator.CreateInstance(typeof(MySqlConnector.MySqlEndOfStreamException),
            System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic, null, [4, 0], null)!;

        Assert.True(ProblemDetailsExceptionHandler.IsTransientInfrastructureFailure(cut));
        Assert.True(NeighbourHub.Web.Data.DeadConnections.IsDeadConnection(new InvalidOperationException("wrapped", cut)));
    }

    [Fact]
    public void Our_own_invalid_operations_stay_errors()
    {
        Assert.False(ProblemDetailsExceptionHandler.IsTransientInfrastructureFailure(new InvalidOperationException("a bug of ours")));
        Assert.False(ProblemDetailsExceptionHandler.IsTransientInfrastructureFailure(Record.Exception(() => new List<int>().First())));
    }
}
