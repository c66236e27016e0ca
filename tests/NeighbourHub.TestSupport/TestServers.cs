using MySqlConnector;

namespace NeighbourHub.TestSupport;

/// <summary>
/// The real MariaDB and Redis that deploy/test.sh starts. Tests never skip when they are missing:
/// they fail and say how to run them.
/// </summary>
public static class TestServers
{
    private const string HowTo = "Run the suite with deploy/test.sh (it installs and starts MariaDB and Redis), or export {0} yourself.";

    public static string MySqlServer => Environment.GetEnvironmentVariable("NH_TEST_MYSQL") is { Length: > 0 } s
        ? s
        : throw new InvalidOperationException(string.Format(System.Globalization.CultureInfo.InvariantCulture, HowTo, "NH_TEST_MYSQL"));

    public static string Redis => Environment.GetEnvironmentVariable("NH_TEST_REDIS") is { Length: > 0 } s
        ? s
        : throw new InvalidOperationException(string.Format(System.Globalization.CultureInfo.InvariantCulture, HowTo, "NH_TEST_REDIS"));

    public static string Chromium => Environment.GetEnvironmentVariable("NH_TEST_CHROMIUM") is { Length: > 0 } s
        ? s
        : File.Exists("/usr/bin/chromium") ? "/usr/bin/chromium"
        : throw new InvalidOperationException(string.Format(System.Globalization.CultureInfo.InvariantCulture, HowTo, "NH_TEST_CHROMIUM"));

    public static string MySqlDatabase(string database) => $"{MySqlServer};Database={database};AllowUserVariables=True;UseAffectedRows=False";

    /// <summary>Drops and recreates a database so every run starts from the migrations.</summary>
    public static async Task RecreateDatabaseAsync(string database)
    {
        await using var connection = new MySqlConnection(MySqlServer);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"DROP DATABASE IF EXISTS `{database}`; CREATE DATABASE `{database}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;";
        await command.ExecuteNonQueryAsync();
    }
}
