"""The Bot API methods the sandbox implements, by their canonical (spec) names."""

from __future__ import annotations

from sandbox import methods_bot as b
from sandbox import methods_messages as m
from sandbox import methods_updates as u
from sandbox.method_context import Handler

HANDLERS: dict[str, Handler] = {
    "getMe": b.get_me,
    "logOut": b.log_out,
    "close": b.close,
    "getChat": b.get_chat,
    "setMyCommands": b.set_my_commands,
    "getMyCommands": b.get_my_commands,
    "deleteMyCommands": b.delete_my_commands,
    "setChatMenuButton": b.set_chat_menu_button,
    "getChatMenuButton": b.get_chat_menu_button,
    "answerCallbackQuery": b.answer_callback_query,
    "getFile": b.get_file,
    "getUpdates": u.get_updates,
    "setWebhook": u.set_webhook,
    "deleteWebhook": u.delete_webhook,
    "getWebhookInfo": u.get_webhook_info,
    "sendMessage": m.send_message,
    "sendPhoto": m.send_photo,
    "sendDocument": m.send_document,
    "sendLocation": m.send_location,
    "sendContact": m.send_contact,
    "sendChatAction": m.send_chat_action,
    "editMessageText": m.edit_message_text,
    "editMessageCaption": m.edit_message_caption,
    "editMessageReplyMarkup": m.edit_message_reply_markup,
    "deleteMessage": m.delete_message,
    "deleteMessages": m.delete_messages,
    "copyMessage": m.copy_message,
    "forwardMessage": m.forward_message,
}
