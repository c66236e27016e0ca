using MySqlConnector;

// A rough same-run reference for bench/hotpath/load.sh (bench/outside.sh has the full one).
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
var cs = Environment.GetEnvironmentVariable("REF_MYSQL") ?? throw new InvalidOperationException("REF_MYSQL");
var source = new MySqlDataSource(cs);
var app = builder.Build();
app.MapGet("/row/{id:long}", async (long id) =>
{
    await using var conn = await source.OpenConnectionAsync();
    await using var cmd = new MySqlCommand("SELECT Id, Nickname FROM Residents WHERE Id = @id", conn);
    cmd.Parameters.AddWithValue("@id", id);
    await using var r = await cmd.ExecuteReaderAsync();
    return await r.ReadAsync() ? Results.Json(new Row(r.GetInt64(0), r.GetString(1)), RowJson.Default.Row) : Results.NotFound();
});
app.Run();

public sealed record Row(long Id, string Nickname);

[System.Text.Json.Serialization.JsonSerializable(typeof(Row))]
internal sealed partial class RowJson : System.Text.Json.Serialization.JsonSerializerContext;
