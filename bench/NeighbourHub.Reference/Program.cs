using System.Text.Json.Serialization;
using MySqlConnector;

// The reference of bench/outside.sh: bare Kestrel and MySqlConnector, no middleware, no EF, no logging per
// request. GET /ref/{id} answers one flat by primary key as JSON from the same MariaDB the app uses, so
// every figure of the app can be read as a share of what this machine and database allow at all.
//   ConnectionStrings__Reference="Server=…;Database=…" ASPNETCORE_URLS=http://127.0.0.1:5099 dotnet NeighbourHub.Reference.dll
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.AddMySqlDataSource(builder.Configuration.GetConnectionString("Reference")
    ?? throw new InvalidOperationException("Set ConnectionStrings__Reference."));
builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, ReferenceJson.Default));
var app = builder.Build();

app.MapGet("/ref/{id:long}", async (long id, MySqlDataSource db, CancellationToken ct) =>
{
    await using var connection = await db.OpenConnectionAsync(ct);
    await using var command = new MySqlCommand("SELECT Id, EstateId, Room, AreaM2 FROM Households WHERE Id = @id", connection);
    command.Parameters.AddWithValue("@id", id);
    await using var reader = await command.ExecuteReaderAsync(ct);
    return await reader.ReadAsync(ct)
        ? Results.Ok(new Flat(reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2), reader.GetDecimal(3)))
        : Results.NotFound();
});
app.MapGet("/ref/live", () => "ok");
app.Run();

internal sealed record Flat(long Id, long EstateId, string Room, decimal AreaM2);

[JsonSerializable(typeof(Flat))]
internal sealed partial class ReferenceJson : JsonSerializerContext;
