using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace NeighbourHub.Web.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ConsoleDesk : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "ContactPhone",
                table: "Repairs",
                type: "TEXT",
                maxLength: 20,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "RecordedById",
                table: "Repairs",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ReporterName",
                table: "Repairs",
                type: "TEXT",
                maxLength: 50,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_Repairs_RecordedById",
                table: "Repairs",
                column: "RecordedById");

            migrationBuilder.AddForeignKey(
                name: "FK_Repairs_AdminUsers_RecordedById",
                table: "Repairs",
                column: "RecordedById",
                principalTable: "AdminUsers",
                principalColumn: "Id",
                onDelete: ReferentialAction.Restrict);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_Repairs_AdminUsers_RecordedById",
                table: "Repairs");

            migrationBuilder.DropIndex(
                name: "IX_Repairs_RecordedById",
                table: "Repairs");

            migrationBuilder.DropColumn(
                name: "ContactPhone",
                table: "Repairs");

            migrationBuilder.DropColumn(
                name: "RecordedById",
                table: "Repairs");

            migrationBuilder.DropColumn(
                name: "ReporterName",
                table: "Repairs");
        }
    }
}
