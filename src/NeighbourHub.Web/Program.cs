using NeighbourHub.Web.Components;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Features;
using NeighbourHub.Web.Features.Identity;
using NeighbourHub.Web.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddSingleton(TimeProvider.System);
builder.AddHosting();
builder.AddData();
builder.AddSharedState();
builder.AddIdentityAndTenancy();
builder.AddWeChat();
builder.AddFeatures();
builder.AddAdminConsole();
builder.AddObservability();

var app = builder.Build();
await app.PrepareDatabaseAsync();
if (args.Contains(NeighbourHub.Web.Features.Files.LocalFileImport.Command))
{
    // One-off, then exit: moves uploads from Files:Directory into the database (Files:Store=Database).
    await NeighbourHub.Web.Features.Files.LocalFileImport.RunAsync(app.Services, app.Environment.ContentRootPath, app.Logger, CancellationToken.None);
    return;
}

app.UseHosting();
app.UseRateLimiter();
app.UseAuthentication();
app.UseAccessScopes();
app.UseAuthorization();
app.UseAntiforgery();

app.MapHostingEndpoints();
app.MapObservability();
app.MapFeatures();
app.MapAdminConsole();
app.LogAddresses();

await app.RunAsync();

/// <summary>Visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
